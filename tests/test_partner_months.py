"""A partner source as a monthly series on /asb and /crime: counted by hand from the files
written here, months not loaded as gaps, and A&E counts withheld from the public as the
counts API withholds them."""

from __future__ import annotations

import csv
import io

import pytest

from app import create_app
from dashboard.chart_data import embeds, partner_months
from dashboard.chart_data.filters import Filters
from dashboard.chart_data.spec import Audience, Reader
from queries.importers.incidents_store import import_incidents
from tests.incident_fixtures import CHERWELL, FILES, OXFORD, incident_engine

OXFORDSHIRE, THAMES_VALLEY = "E10000025", "E23000029"
AREAS = (OXFORD, CHERWELL, OXFORDSHIRE, THAMES_VALLEY)
PARTNER, PUBLIC = Audience(partner=True), Audience()


class _Direct:
    def __init__(self, engine):
        self.engine = engine

    def get(self, function, *args):
        return function(self.engine, *args)


def _rows(source: str, dated: list[tuple[str, str, int]]) -> str:
    lines = ["source,incident_date,lsoa_code,category"]
    for day, lsoa, n in dated:
        lines += [f"{source},{day},{lsoa},incident"] * n
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    folder = tmp_path_factory.mktemp("partner-months")
    engine = incident_engine(f"sqlite:///{folder / 'app.sqlite'}")
    # By hand: needle finds, January 2024: Oxford 2 (LSOA E01028513), Cherwell 1 (E01028422);
    # February not loaded; March 2024: needles.csv's 3 rows, all in Oxford.
    files = {"needles-2024-01.csv": _rows("needle-finds", [("2024-01-10", "E01028513", 2),
                                                           ("2024-01-20", "E01028422", 1)]),
             # A&E, May 2024: Oxford 7, Cherwell 2; June not loaded; July: Oxford 6, Cherwell none, and
             # 5 each in South Oxfordshire, Vale of White Horse and West Oxfordshire (the hospital
             # serves the whole county, so every district has records and the county is drawn).
             "ae-2024-05.csv": _rows("ae-assaults", [("2024-05-03", "E01028513", 7), ("2024-05-04", "E01028422", 2)]),
             "ae-2024-07.csv": _rows("ae-assaults", [("2024-07-05", "E01028513", 6), ("2024-07-06", "E01028598", 5),
                                                     ("2024-07-06", "E01028688", 5), ("2024-07-07", "E01028762", 5)])}
    for name, text in files.items():
        (folder / name).write_text(text)
        import_incidents(engine, folder / name)
    import_incidents(engine, FILES / "needles.csv")
    yield engine
    engine.dispose()


def _counts(frame):
    return {(r.area_code, r.period): (None if r.count is None or r.count != r.count else int(r.count), r.shown)
            for r in frame.astype(object).where(frame.notna(), None).itertuples(index=False)}


def test_needle_finds_by_month_match_a_hand_count_with_february_a_gap(engine):
    view = partner_months.monthly_view(partner_months.SPECS["needle-finds"], Reader(_Direct(engine), PUBLIC),
                                       Filters(areas=AREAS), "needle-finds")
    counts = _counts(view.frame)
    assert counts == {
        (OXFORD, "2024-01"): (2, "2"), (OXFORD, "2024-02"): (None, "not loaded"), (OXFORD, "2024-03"): (3, "3"),
        (CHERWELL, "2024-01"): (1, "1"), (CHERWELL, "2024-02"): (None, "not loaded"), (CHERWELL, "2024-03"): (0, "0")}
    # Only Oxford and Cherwell of Oxfordshire's five districts recorded needle finds: a county
    # line would be theirs alone under the county's name, so it is not drawn, and the card says why.
    assert any(note.text.startswith("Oxfordshire: not drawn, since 3 of its 5 districts have no record")
               for note in view.notes)
    # The figure breaks at February rather than drawing a zero.
    assert [list(trace.y) for trace in view.figure.data][0] == [2, None, 3]
    assert all(trace.connectgaps is False for trace in view.figure.data)
    assert "February 2024 not loaded" in view.summary and "Oxford: 5 records in 2 months" in view.summary
    assert any("Thames Valley" in note.text and "district and county only" in note.text for note in view.notes)
    assert "No band of ordinary variation" in view.caption


def test_the_public_sees_small_ae_counts_withheld_and_partners_see_them_all(engine):
    filters = Filters(areas=AREAS)
    spec = partner_months.SPECS["ae-assaults"]
    partner = _counts(partner_months.monthly_view(spec, Reader(_Direct(engine), PARTNER), filters, "ae-assaults").frame)
    assert {k: v[0] for k, v in partner.items()} == {
        (OXFORD, "2024-05"): 7, (OXFORD, "2024-06"): None, (OXFORD, "2024-07"): 6,
        (CHERWELL, "2024-05"): 2, (CHERWELL, "2024-06"): None, (CHERWELL, "2024-07"): 0,
        (OXFORDSHIRE, "2024-05"): 9, (OXFORDSHIRE, "2024-06"): None, (OXFORDSHIRE, "2024-07"): 6 + 3 * 5}
    public_view = partner_months.monthly_view(spec, Reader(_Direct(engine), PUBLIC), filters, "ae-assaults")
    public = _counts(public_view.frame)
    assert public[(CHERWELL, "2024-05")] == (None, "fewer than 5")
    # Oxfordshire's 9 less Oxford's 7 would give Cherwell's 2: one of them is withheld too.
    assert public[(OXFORD, "2024-05")][0] is None or public[(OXFORDSHIRE, "2024-05")][0] is None
    assert public[(OXFORD, "2024-06")] == (None, "not loaded")
    assert public[(OXFORD, "2024-07")] == (6, "6") and public[(CHERWELL, "2024-07")] == (0, "0")
    assert any("withheld" in note.text for note in public_view.notes)
    assert "2 in May" not in public_view.summary


def test_csv_downloads_match_the_view_and_hold_no_withheld_count(engine, tmp_path_factory):
    app = create_app({"database_url": engine.url.render_as_string(hide_password=False),
                      "upload_dir": str(tmp_path_factory.mktemp("uploads"))})
    query = "?area=E07000178&area=E07000177&area=E10000025"
    client = app.server.test_client()
    for source in ("needle-finds", "ae-assaults"):
        response = client.get(f"/download/partner-months-{source}.csv{query}")
        assert response.status_code == 200
        rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
        view = partner_months.monthly_view(partner_months.SPECS[source], Reader(_Direct(engine), PUBLIC),
                                           Filters(areas=(OXFORD, CHERWELL, OXFORDSHIRE)), source)
        expected = _counts(view.frame)
        assert {(r["Area code"], r["Month"]): (int(r["Records"]) if r["Records"] else None, r["Records as shown"])
                for r in rows} == expected
    cherwell_may = next(r for r in rows if r["Area code"] == CHERWELL and r["Month"] == "2024-05")
    assert cherwell_may["Records"] == "" and cherwell_may["Records as shown"] == "fewer than 5"


def test_a_source_with_nothing_loaded_says_so_and_synthetic_records_say_so(engine, tmp_path_factory):
    reader = Reader(_Direct(engine), PARTNER)
    spec = partner_months.SPECS["council-asb"]
    empty = partner_months.monthly_view(spec, reader, Filters(areas=AREAS), "council-asb")
    assert empty.message == "No records of council anti-social behaviour cases are loaded yet." and empty.figure is None
    path = tmp_path_factory.mktemp("council") / "council.csv"
    path.write_text(_rows("council-asb", [("2024-02-02", "E01028513", 4)]))
    import_incidents(engine, path, is_synthetic=True)
    shown = partner_months.monthly_view(spec, reader, Filters(areas=AREAS), "council-asb")
    assert _counts(shown.frame)[(OXFORD, "2024-02")] == (4, "4")
    assert any(note.text.startswith("Synthetic demo data") for note in shown.notes)
    assert shown.frame["is_synthetic"].all()
    # The card is embeddable, drawn by the same view function as the page.
    assert "partner-months-council-asb" in embeds.EMBEDDABLE
    assert embeds.embed_view(reader, "partner-months-council-asb", Filters(areas=AREAS)).frame.equals(shown.frame)
