"""Component ids, in one place so layouts, callbacks and tests agree."""

URL = "url"
PAGE = "page-content"
DEMO_NOTICE = "demo-notice"

OVERVIEW_CARDS = "overview-cards"
OVERVIEW_SUMMARY = "overview-summary"
OVERVIEW_TREND = "overview-trend"
