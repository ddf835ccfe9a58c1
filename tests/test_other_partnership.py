"""The dashboard set up for another partnership (Cambridge, in Cambridgeshire Constabulary's
area) by its environment alone, on synthetic Cambridgeshire files: every page, title and
message names Cambridge, and none names Oxford or shows Oxford's published figures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from queries.bootstrap import init_db
from queries.db import make_engine
from queries.importers.policeuk import import_policeuk
from queries.periods import add_months

from .other_forces import cambridgeshire_month

ROOT = Path(__file__).resolve().parent.parent
MONTHS = [add_months("2023-01", i) for i in range(24)]

# Run in a process of its own: a process serves one partnership, read from its environment.
SCRIPT = """
import json
from app import create_app
from dashboard.pages import PAGES
from tests.pagetools import page_callback

app = create_app()
client = app.server.test_client()
out = {"index": client.get("/").get_data(as_text=True), "layout": client.get("/_dash-layout").get_data(as_text=True),
       "openapi": client.get("/api/v1/openapi.json").get_data(as_text=True),
       "login": client.get("/login").get_data(as_text=True),
       "sources": client.get("/api/v1/incidents/sources").get_data(as_text=True)}
for page in PAGES:
    response = page_callback(client, page.path, "")
    out[page.path] = response.get_data(as_text=True) if response.status_code == 200 else f"status {response.status_code}"
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cambridge")
    url = f"sqlite:///{folder / 'cambridge.sqlite'}"
    engine = make_engine(url)
    init_db(engine)
    files = []
    for month in MONTHS:
        path = folder / f"{month}-cambridgeshire-street.csv"
        path.write_text(cambridgeshire_month(month))
        files.append(path)
    import_policeuk(engine, files)
    engine.dispose()
    env = {**os.environ, "DATABASE_URL": url, "HOME_AREA": "E07000008", "RATE_LIMIT_ENABLED": "false"}
    for name in ("PARTNERSHIP_NAME", "COMPARE_AREAS", "CACHE_REDIS_URL", "RATE_LIMIT_STORAGE_URL"):
        env.pop(name, None)
    result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_no_page_title_or_message_names_oxford(served):
    # The peers page lists the districts most like Cambridge, read from the ONS data: Oxford is
    # one of them, as a peer; the page is about Cambridge.
    assert "nearest Cambridge" in served["/peers"]
    for name, body in served.items():
        if name == "/peers":
            continue
        assert "Oxford" not in body, (name, body[max(0, body.find("Oxford") - 300): body.find("Oxford") + 200])
        assert "Thames Valley" not in body, name


def test_the_pages_name_the_partnership_and_its_areas(served):
    assert "<title>Cambridge community safety</title>" in served["index"]
    assert "Cambridge community safety" in served["layout"] and "Cambridge community safety" in served["login"]
    overview = served["/"]
    assert "Community safety in Cambridge" in overview
    assert "in Cambridge, Cambridgeshire and Cambridgeshire police force area" in overview
    # The filter bar offers the partnership's areas and its force's other districts.
    for name in ("Cambridge", "Cambridgeshire", "Peterborough", "Huntingdonshire"):
        assert f'"label": "{name}"' in served["layout"] or f'"label":"{name}"' in served["layout"]
    assert "the Cambridge community safety partnership" in json.loads(served["openapi"])["info"]["description"]


def test_partner_sources_are_credited_to_the_partnership_until_it_names_their_owners(served):
    owners = {row["slug"]: row["owner"] for row in json.loads(served["sources"])["sources"]}
    assert set(owners) == {"ae-assaults", "needle-finds", "council-asb"}
    assert set(owners.values()) == {"Cambridge community safety partnership"}


def test_cambridge_figures_are_counted_and_published_tables_say_they_are_anothers(served):
    crime = served["/crime"]
    # Two crimes a month in Cambridge (tests/other_forces.py): 24 in the 12 months to December
    # 2024, over 146,995 residents (ONS mid-2022, Cambridge's 2021 LSOAs summed) = 0.163 per 1,000.
    assert f"Cambridge: {24 / 146_995 * 1000:.2f} per 1,000 residents in the 12 months to December 2024" in served["/"]
    assert "Cambridge" in crime and "Synthetic" not in crime
    assert "The published totals are from another partnership's published reports: they have no figures for Cambridge" in crime
    assert "from another partnership's published reports: it has no figures for Cambridge" in served["/asb"]
    assert "from another partnership's published reports" in served["/domestic-abuse"]
    assert "from another partnership's published reports" in served["/exploitation"]


def test_the_hotspot_map_says_no_boundaries_are_loaded_for_another_force(served):
    hotspots = served["/hotspots"]
    assert "No boundaries are loaded for this area, so none are drawn" in hotspots
    assert "Grey lines are" not in hotspots and "Boundaries: Office for National Statistics" not in hotspots
