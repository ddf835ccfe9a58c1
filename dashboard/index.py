"""The page's script tags: Dash's, less two files no page here needs.

Dash puts on every page @babel/polyfill (97 kB, 30 kB compressed: ES2015 for browsers
before 2017; the maps need WebGL 2 and the plotly.js bundles ES2016 anyway, so no browser
that draws these pages lacks it) and the DataTable library (deprecated, and no page uses
it). The one part of the polyfill Dash's own code still relies on, the global
``regeneratorRuntime`` of its transpiled async functions, comes from
``assets/regenerator-runtime-<version>.js``.
"""

from __future__ import annotations

import re

from dash import Dash

UNUSED_SCRIPTS = re.compile(r'<script src="[^"]*/_dash-component-suites/dash/'
                            r'(deps/polyfill@[^"]*|dash_table/bundle[^"]*)"></script>\s*')


class LeanDash(Dash):
    def interpolate_index(self, **kwargs) -> str:
        kwargs["scripts"] = UNUSED_SCRIPTS.sub("", kwargs.get("scripts", ""))
        return super().interpolate_index(**kwargs)
