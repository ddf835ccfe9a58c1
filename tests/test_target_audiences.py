"""A target on a sensitive series reaches each audience only through what that audience may
see: signed out, no withheld value, change or p-value appears on the API, the page, the
board report or its CSVs; a signed-in partner sees the judgement in full."""

from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from queries.importers.series import import_series
from queries.reference import OXFORD
from queries.targets import check_target, save_targets

from .pagetools import page_payload
from .test_roles import app, client_as  # noqa: F401  (the app with a partner "pat" signed up)

SERIES_HEADER = "series_id,title,theme,unit,area_code,period,category,value,source,source_table,sensitive,note"


def store_series(engine, tmp_path, series_id, kind, values: dict[str, int]):
    lines = [SERIES_HEADER] + [f"{series_id},{series_id} title,exploitation,count,{OXFORD},{period},,{value},"
                               f"Example partner,,yes," for period, value in values.items()]
    path = tmp_path / f"{series_id}.csv"
    path.write_text("\n".join(lines) + "\n")
    import_series(engine, path, kind=kind)


def store_target(engine, target_id, series_id):
    problems = []
    row = check_target({"id": target_id, "title": f"Target on {series_id}", "crime_types": "", "series_id": series_id,
                        "area_code": OXFORD, "baseline_from": "2024-06", "baseline_to": "2024-06",
                        "end_from": "2025-06", "end_to": "2025-06", "target_percent": "-10", "tolerance_points": "2",
                        "source": "Example partnership"}, lambda f, m: problems.append((f, m)))
    assert problems == []
    save_targets(engine, [row], "partner", "pat")


@pytest.fixture
def targets_app(app):  # noqa: F811
    engine = app.server.extensions["engine"]
    folder = Path(tempfile.mkdtemp(prefix="targets-"))
    # A partner series (FGM referrals): 1 in June 2024 and 1 in June 2025.
    store_series(engine, folder, "fgm-referrals", "partner", {"2024-06": 1, "2025-06": 1})
    store_target(engine, "fgm-referrals-oxford", "fgm-referrals")
    # A published sensitive series: 3 then 2, both withheld from the public (1 to 4).
    store_series(engine, folder, "cse-referrals", "published", {"2024-06": 3, "2025-06": 2})
    store_target(engine, "cse-referrals-oxford", "cse-referrals")
    # A published sensitive series with large figures: shown to everyone, and so judged.
    store_series(engine, folder, "hbv-reports", "published", {"2024-06": 40, "2025-06": 30})
    store_target(engine, "hbv-reports-oxford", "hbv-reports")
    return app


SMALL_SENTENCES = ("1 in June 2025 against 1 in June 2024", "2 in June 2025 against 3 in June 2024")


def surfaces(client) -> dict[str, str]:
    """The text of every place a target's figures appear."""
    api = client.get("/api/v1/targets")
    assert api.status_code == 200
    page = client.post("/_dash-update-component", json=page_payload("/targets", ""))
    assert page.status_code == 200
    pdf = client.get("/board-report.pdf")
    assert pdf.status_code == 200
    zipped = client.get("/board-report.zip")
    assert zipped.status_code == 200
    with zipfile.ZipFile(io.BytesIO(zipped.data)) as archive:
        name = next(n for n in archive.namelist() if "board-targets" in n)
        board_csv = archive.read(name).decode("utf-8")
    return {"api": api.get_data(as_text=True), "page": page.get_data(as_text=True),
            "pdf": " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages),
            "csv": board_csv, "api_json": api.get_json()}


def by_id(body) -> dict:
    return {t["id"]: t for t in body["targets"]}


def test_signed_out_no_sensitive_figure_change_or_p_value_appears_anywhere(targets_app):
    seen = surfaces(client_as(targets_app))
    for surface in ("api", "page", "pdf"):
        text = " ".join(seen[surface].split())
        for sentence in SMALL_SENTENCES:
            assert sentence not in text, surface
        assert "30 in June 2025 against 40 in June 2024" in text, surface  # large figures are public
    targets = by_id(seen["api_json"])
    for target_id in ("fgm-referrals-oxford", "cse-referrals-oxford"):
        t = targets[target_id]
        assert t["status"] == "withheld"
        assert t["change_percent"] is None and t["p_value"] is None and t["ci95_percent"] is None
    assert "for partners only" in targets["fgm-referrals-oxford"]["sentence"]
    assert targets["hbv-reports-oxford"]["change_percent"] == pytest.approx(-25.0)
    rows = {r["Target"]: r for r in csv.DictReader(io.StringIO(seen["csv"]))}
    for title in ("Target on fgm-referrals", "Target on cse-referrals"):
        assert rows[title]["Status"] == "withheld"
        assert rows[title]["Change (%)"] == "" and rows[title]["p-value (above the line)"] == ""
        assert rows[title]["Months compared"] == ""
    assert rows["Target on hbv-reports"]["Change (%)"] == "-25.0"


def test_a_signed_in_partner_sees_every_judgement(targets_app):
    seen = surfaces(client_as(targets_app, "pat"))
    for surface in ("api", "page", "pdf"):
        text = " ".join(seen[surface].split())
        for sentence in SMALL_SENTENCES:
            assert sentence in text, surface
    targets = by_id(seen["api_json"])
    assert targets["fgm-referrals-oxford"]["change_percent"] == pytest.approx(0.0)
    assert targets["cse-referrals-oxford"]["change_percent"] == pytest.approx(-100 / 3)
    assert all(t["status"] != "withheld" for t in targets.values())
    rows = {r["Target"]: r for r in csv.DictReader(io.StringIO(seen["csv"]))}
    assert rows["Target on fgm-referrals"]["Change (%)"] == "0.0"
    assert rows["Target on cse-referrals"]["Change (%)"] == "-33.3"
    assert rows["Target on cse-referrals"]["Months compared"] == "the same months of the year: June 2025 against June 2024"
