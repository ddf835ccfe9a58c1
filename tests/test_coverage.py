"""The coverage ledger: loaded, missing and not-published months per force, and comparisons
between areas of different forces made over each force's own months."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import pytest

from app import create_app
from queries.accounts import set_account
from queries.counts import change_between
from queries.coverage import coverage_ledger, coverage_summary, month_ranges, record_not_published
from queries.importers.policeuk import import_policeuk
from queries.reference import FORCES, FORCES_BY_SLUG

from .other_forces import archive, cambridgeshire_month, row, south_wales_month, street_csv
from .test_interventions import PASSWORD, signed_in

CAMBRIDGESHIRE, SOUTH_WALES, GREATER_MANCHESTER = "E23000023", "W15000003", "E23000005"
CAMBRIDGE, CARDIFF = "E07000008", "W06000015"
# Forces left out of the whole-country archive below, as data.police.uk left Greater
# Manchester out from July 2019.
LEFT_OUT = {"greater-manchester"}


def _whole_country(tmp_path, month: str):
    """An archive of one month holding a street file for every force but LEFT_OUT: the two
    forces with areas to count get their synthetic rows, the rest one crime with no location."""
    members = {}
    for force in FORCES:
        if force.slug in LEFT_OUT:
            continue
        if force.slug == "cambridgeshire":
            text = cambridgeshire_month(month)
        elif force.slug == "south-wales":
            text = south_wales_month(month)
        else:
            text = street_csv([row(f"x{month.replace('-', '')}", month, force.name, None, "Other crime")])
        members[f"{month}/{month}-{force.slug}-street.csv"] = text
    return archive(tmp_path / f"{month}.zip", members)


def _load_ledger_months(engine) -> None:
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        import_policeuk(engine, [_whole_country(folder, "2024-01"), _whole_country(folder, "2024-03")])
        february = folder / "custom.zip"
        archive(february, {"2024-02/2024-02-cambridgeshire-street.csv": cambridgeshire_month("2024-02")})
        import_policeuk(engine, [february])


@pytest.fixture
def ledger_engine(built_engine):
    """2024-01 and 2024-03 from whole-country archives; 2024-02 for Cambridgeshire alone (a
    custom download), so South Wales misses February. The three imports are made once per
    process and backend, and each test gets a copy of the result."""
    return built_engine("coverage-ledger", _load_ledger_months)


def test_the_ledger_tells_loaded_missing_and_not_published_apart(ledger_engine):
    ledger = coverage_ledger(ledger_engine).set_index(["force_code", "month"])["status"]
    assert ledger[(CAMBRIDGESHIRE, "2024-02")] == "loaded"
    assert ledger[(SOUTH_WALES, "2024-02")] == "missing"  # a custom download says nothing of other forces
    assert [ledger[(GREATER_MANCHESTER, m)] for m in ("2024-01", "2024-02", "2024-03")] == [
        "not published", "missing", "not published"]
    # Every territorial force appears (42 loaded something; Greater Manchester was recorded).
    assert set(ledger.index.get_level_values(0)) == {f.code for f in FORCES}


def test_the_summary_and_the_api_give_each_forces_months(ledger_engine):
    summary = {f["force_code"]: f for f in coverage_summary(ledger_engine, [SOUTH_WALES, GREATER_MANCHESTER])}
    assert summary[SOUTH_WALES]["months_missing"] == ["2024-02"] and summary[SOUTH_WALES]["months_loaded"] == 2
    assert summary[GREATER_MANCHESTER]["months_not_published"] == ["2024-01", "2024-03"]
    assert summary[GREATER_MANCHESTER]["first_loaded"] is None
    app = create_app({"database_url": ledger_engine.url.render_as_string(hide_password=False)})
    client = app.server.test_client()
    body = client.get(f"/api/v1/coverage?force={GREATER_MANCHESTER}").get_json()
    assert [f["months_not_published"] for f in body["forces"]] == [["2024-01", "2024-03"]]
    assert client.get("/api/v1/coverage?force=E07000008").status_code == 400  # a district is not a force
    assert "/coverage" in client.get("/api/v1/openapi.json").get_json()["paths"]
    set_account(ledger_engine, "ada", PASSWORD, "admin")
    assert client.get("/admin/coverage").status_code == 403
    page = signed_in(app, "ada").get("/admin/coverage").get_data(as_text=True)
    assert "Greater Manchester" in page and "2024-01, 2024-03" in page


def test_an_analyst_can_record_months_not_published_and_loaded_months_stay(ledger_engine):
    assert record_not_published(ledger_engine, SOUTH_WALES, "2024-01", "2024-02", "force's own notice") == 1
    ledger = coverage_ledger(ledger_engine, [SOUTH_WALES]).set_index("month")["status"]
    assert ledger.to_dict() == {"2024-01": "loaded", "2024-02": "not published", "2024-03": "loaded"}
    with pytest.raises(ValueError, match="not a police force area"):
        record_not_published(ledger_engine, CAMBRIDGE, "2024-01", "2024-01", "x")


def test_a_comparison_across_forces_uses_each_forces_own_months(ledger_engine):
    """January to March against nothing before: Cambridge's three months are all loaded, Cardiff
    lacks February, so Cardiff's change is not compared (a missing month is not a zero)."""
    change = change_between(ledger_engine, [CAMBRIDGE, CARDIFF], ("2024-01", "2024-01"), ("2024-02", "2024-03"))
    rows = change.set_index("area_code")
    assert bool(rows.loc[CAMBRIDGE, "comparable"]) and rows.loc[CAMBRIDGE, "current_count"] == 4  # 2 a month
    assert not bool(rows.loc[CARDIFF, "comparable"]) and rows.loc[CARDIFF, "current_months"] == 1
    assert pd.isna(rows.loc[CARDIFF, "percent_change"]) and pd.isna(rows.loc[CARDIFF, "p_value"])


def test_month_ranges_are_written_compactly():
    assert month_ranges(["2019-07", "2019-08", "2019-09", "2020-01", "2020-03", "2020-04"]) == \
        "2019-07 to 2019-09, 2020-01, 2020-03 to 2020-04"
    assert month_ranges([]) == ""
    assert FORCES_BY_SLUG["greater-manchester"].code == GREATER_MANCHESTER


def test_an_evaluation_across_forces_needs_every_month_in_both(ledger_engine):
    """A Cambridge target against a Cardiff control: South Wales lacks February 2024, so an
    after period of February cannot be evaluated; against another Cambridge LSOA it can."""
    from queries.evaluation import EvaluationError, evaluate

    periods = {"before": ("2024-01", "2024-01"), "after": ("2024-02", "2024-02"), "with_its": False}
    with pytest.raises(EvaluationError, match="2024-02"):
        evaluate(ledger_engine, ["E01017975"], ["W01001777"], **periods)
    result = evaluate(ledger_engine, ["E01017975"], ["E01017949"], **periods)
    assert result.counts["target"] == {"before": 1, "after": 1}  # one burglary a month in Cambridge 001A
