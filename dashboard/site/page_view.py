"""What the shell shows for one address: the page's heading and content (or one embedded chart,
or "not found"), which filter groups it offers, and whether the site's chrome is hidden.

Used twice, so both agree: by the layout a first visit fetches, which arrives with the page
already drawn (no callback has to run before the charts), and by the callbacks that redraw
the page when the address changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from dash import html

from dashboard.chart_data.embeds import embed_defaults, embedded_chart_id, page_path_of
from dashboard.chart_data.filters import Filters
from dashboard.pages import PAGES, PAGES_BY_PATH
from dashboard.server.auth import request_reader
from dashboard.site.embed import embedded_chart
from dashboard.widgets import ids
from dashboard.widgets.chart_section import add_first_frame, mark_demo
from dashboard.widgets.components import demo_notice
from queries.counts import has_synthetic_months

HIDDEN = "d-none"
FOOTER_CLASS = "site-footer border-top py-3 mt-4"


@dataclass(frozen=True)
class Chrome:
    """Class names of the shell's parts: ``?embed=1`` hides the navigation and footer and shows
    a link out to the full view; ``&filters=0`` hides the filter bar too."""

    header: str = ""
    footer: str = FOOTER_CLASS
    filter_bar: str = ""
    full_view: str = HIDDEN
    full_view_href: str | None = None  # None: the home page
    shell: str = ""


@dataclass(frozen=True)
class PageView:
    key: str  # the address in canonical form: which page, with which filters
    filters: Filters  # for the filter bar's controls
    controls: frozenset[str]  # the filter groups shown
    header: list
    body: object


def local_path(app, pathname) -> str:
    prefix = app.config.requests_pathname_prefix.rstrip("/")
    path = pathname if isinstance(pathname, str) and pathname else "/"
    if prefix and path.startswith(prefix):
        path = path[len(prefix):] or "/"
    return path


def defaults_for(path: str) -> Filters:
    page = PAGES_BY_PATH.get(path)
    chart_id = embedded_chart_id(path)
    return page.defaults if page else embed_defaults(chart_id) if chart_id else Filters()


def filters_at(path: str, search) -> Filters:
    return Filters.from_query(search if isinstance(search, str) else "", defaults_for(path))


def address_key(app, pathname, search) -> str:
    """Two spellings of one view (parameters in another order, a default written out) share a key."""
    path = local_path(app, pathname)
    return _key(path, filters_at(path, search))


def _key(path: str, filters: Filters) -> str:
    return path + filters.to_query(defaults_for(path))


def page_view(app, query_cache, pathname, search, first_frame: bool = True) -> PageView:
    """``first_frame``: draw the first chart's first frame (``add_first_frame``), for a page
    drawn before plotly has loaded: not for one drawn over a page already shown."""
    path = local_path(app, pathname)
    filters = filters_at(path, search)
    key = _key(path, filters)
    page = PAGES_BY_PATH.get(path)
    chart_id = embedded_chart_id(path)
    if page is not None:
        body = html.Div(page_content(query_cache, page, filters, first_frame), id=ids.page_content(page.key))
        return PageView(key, filters, page.controls, page_header(page), body)
    if chart_id is not None:
        shows_incidents = PAGES_BY_PATH[page_path_of(chart_id)].shows_incidents
        return PageView(key, filters, frozenset(), [], embedded_chart(query_cache, chart_id, filters, shows_incidents))
    return PageView(key, filters, frozenset(), not_found(), [])


def page_content(query_cache, page, filters: Filters, first_frame: bool = True) -> list:
    content = page.render(request_reader(query_cache), filters, filters.to_query(page.defaults))
    # One notice per page, above everything, wherever demo incidents are drawn.
    if page.shows_incidents and query_cache.get(has_synthetic_months):
        mark_demo(content)
        content = [demo_notice(), *content]
    if first_frame:
        add_first_frame(content)
    return content


def page_header(page) -> list:
    return [html.H1(page.title, className="h2 mb-2"), html.P(page.intro, className="text-body-secondary")]


def not_found() -> list:
    return [html.H1("Page not found", className="h2"), html.P("There is no page at this address.")]


def chrome_for(app, pathname, search) -> Chrome:
    path = local_path(app, pathname)
    page = PAGES_BY_PATH.get(path)
    chart_id = embedded_chart_id(path)
    filters = filters_at(path, search)
    if chart_id:  # /embed/<chart id> is always chromeless, with no filter bar
        filters = filters.with_changes(embed=True, show_filters=False)
    full_path = page.path if page else page_path_of(chart_id) if chart_id else "/"
    full_view = app.get_relative_path(full_path) + filters.full_view().to_query(defaults_for(path))
    if not filters.embed:
        return Chrome(full_view_href=full_view)
    return Chrome(HIDDEN, HIDDEN, "" if filters.show_filters else HIDDEN, "small d-inline-block mb-2", full_view,
                  "embedded")


def nav_hrefs(app, pathname, search) -> list[str]:
    """Links to the other pages keep the chosen areas and period."""
    filters = filters_at(local_path(app, pathname), search)
    return [app.get_relative_path(p.path) + filters.to_query(p.defaults) for p in PAGES]


def referred_address(referrer: str | None, host: str) -> tuple[str, str] | None:
    """The page address (path, search) a same-origin request came from, or None.

    Dash fetches the layout with a separate request; the browser names the page it is for in
    the Referer header (same origin, so the whole address: see security.py's policy)."""
    if not referrer:
        return None
    parts = urlsplit(referrer)
    if parts.netloc != host:
        return None
    return parts.path or "/", f"?{parts.query}" if parts.query else ""
