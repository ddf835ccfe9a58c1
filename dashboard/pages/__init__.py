"""One module per page, each exporting ``PAGE``: its path, defaults, controls and renderer."""

from dashboard.pages import (
         asb,
         crime,
         domestic_abuse,
         exploitation,
         hotspots,
         interventions,
         overview,
         peers,
         repeat,
         targets,
)

PAGES = [overview.PAGE, crime.PAGE, asb.PAGE, domestic_abuse.PAGE, repeat.PAGE, exploitation.PAGE, hotspots.PAGE,
         interventions.PAGE, targets.PAGE, peers.PAGE]
PAGES_BY_PATH = {page.path: page for page in PAGES}
