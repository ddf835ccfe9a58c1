"""Component ids, in one place so layouts, callbacks and tests agree."""

URL = "url"
PAGE = "page-content"
PAGE_HEADER = "page-header"
FILTER_BAR = "filter-bar"
SITE_HEADER = "site-header"
NAV_TOGGLER = "nav-toggler"
NAV_COLLAPSE = "nav-collapse"
SITE_FOOTER = "site-footer"
FULL_VIEW = "full-view-link"
SHELL = "shell"
MAIN = "main"
DEMO_NOTICE = "demo-notice"
EMBED_CHART = "embed-chart"  # the one chart of an /embed/<chart id> view
DRAWN_ADDRESS = "drawn-address"  # the address a first visit's layout arrived drawn for

# The filter bar, the same on every page.
F_AREAS = "filter-areas"
F_AREAS_MORE = "filter-areas-more"
F_CRIME_TYPES = "filter-crime-types"
F_FROM = "filter-from"
F_TO = "filter-to"
F_GRAIN = "filter-grain"
F_MEASURE = "filter-measure"
F_AREA = "filter-area"  # one area, for hotspots
F_BASELINE = "filter-baseline"
F_LEVEL = "filter-level"
FILTER_CONTROLS = (F_AREAS, F_AREAS_MORE, F_CRIME_TYPES, F_FROM, F_TO, F_GRAIN, F_MEASURE, F_AREA, F_BASELINE, F_LEVEL)
F_AREAS_MORE_DETAILS = "filter-areas-more-details"
F_CRIME_TYPES_SUMMARY = "filter-crime-types-summary"


def page_content(page_key: str) -> str:
    """The container a page's charts are drawn into."""
    return f"{page_key}-content"


def chart_graph(chart_id: str) -> str:
    return f"chart-{chart_id}"


def chart_heading(chart_id: str) -> str:
    return f"{chart_id}-heading"


def chart_summary(chart_id: str) -> str:
    return f"{chart_id}-summary"


def nav_link(page_key: str) -> str:
    return f"nav-{page_key}"


PNG_BUTTON = "png-button"  # pattern-matching type: {"type": PNG_BUTTON, "chart": chart_id}
PNG_STATUS = "png-status"

OVERVIEW_SUMMARY = "overview-summary"

# The hotspot page.
HOTSPOT_SUMMARY = "hotspot-summary"
HOTSPOT_COVERAGE = "hotspot-coverage"  # which months are missing, when some are
HOTSPOT_MAP = "chart-hotspot-map"
HOTSPOT_MAP_HEADING = "hotspot-map-heading"
HOTSPOT_MAP_SUMMARY = "hotspot-map-summary"
HOTSPOT_PLACES_HEADING = "hotspot-places-heading"
HOTSPOT_APPENDIX = "hotspot-appendix"
HOTSPOT_AREA_CHOICE = "hotspot-area-choice"  # a link named several areas: which is shown, and the others
HOTSPOT_ZOOM = "hotspot-zoom"  # pattern-matching type: {"type": HOTSPOT_ZOOM, "lon": ..., "lat": ...}
HOTSPOT_SOURCES_HEADING = "hotspot-sources-heading"
HOTSPOT_OFF_MAP = "hotspot-off-map"
HOTSPOT_BESIDE_HEADING = "hotspot-beside-police-heading"
