"""The page's script tags: Dash's, less two files no page here needs; and the page's two
requests to the server, started as the HTML arrives.

Dash puts on every page @babel/polyfill (97 kB, 30 kB compressed: ES2015 for browsers
before 2017; the maps need WebGL 2 and the plotly.js bundles ES2016 anyway, so no browser
that draws these pages lacks it) and the DataTable library (deprecated, and no page uses
it). The one part of the polyfill Dash's own code still relies on, the global
``regeneratorRuntime`` of its transpiled async functions, comes from
``assets/regenerator-runtime-<version>.js``.

Dash's renderer asks for the layout (which arrives with the page drawn, see page_view) and
the callback list only once all its scripts have run: on a slow laptop, seconds after the
HTML. Preloading them lets the server work meanwhile; the renderer's own requests (same
address, mode and credentials) are then answered from the preload.
"""

from __future__ import annotations

import re

from dash import Dash

UNUSED_SCRIPTS = re.compile(r'<script src="[^"]*/_dash-component-suites/dash/'
                            r'(deps/polyfill@[^"]*|dash_table/bundle[^"]*)"></script>\s*')


PRELOADED = ("_dash-layout", "_dash-dependencies")


class LeanDash(Dash):
    def interpolate_index(self, **kwargs) -> str:
        kwargs["scripts"] = UNUSED_SCRIPTS.sub("", kwargs.get("scripts", ""))
        prefix = self.config.requests_pathname_prefix
        kwargs["metas"] = kwargs.get("metas", "") + "".join(
            f'<link rel="preload" href="{prefix}{path}" as="fetch" crossorigin="anonymous">' for path in PRELOADED)
        return super().interpolate_index(**kwargs)
