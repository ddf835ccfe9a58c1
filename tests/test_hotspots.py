"""Hotspot statistics against cases worked by hand, and hotspots from real files."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import pytest
from scipy.stats import false_discovery_control, norm

from queries import hexgrid, periods
from queries.current_lsoas import current_lsoas
from queries.hotspots import CELL, LOCATION, LSOA, gi_star_cells, hotspots
from queries.importers.policeuk import import_policeuk
from queries.reference import ASB, OXFORD
from queries.stats import getis_ord_gi_star

from .conftest import FIXTURES, shared_file, street_rows


def test_gi_star_finds_one_hot_cluster_and_nothing_else():
    cells = [(q, r) for q in range(-6, 7) for r in range(-6, 7)]
    position = {c: i for i, c in enumerate(cells)}
    cluster = {(0, 0), *hexgrid.neighbours(0, 0)}
    rng = np.random.default_rng(11)
    values = np.array([10.0 + rng.integers(0, 2) if c in cluster else float(rng.integers(0, 2)) for c in cells])
    index = np.array([[position.get(n, -1) for n in hexgrid.neighbours(*c)] for c in cells])
    z = getis_ord_gi_star(values, index)
    q = false_discovery_control(norm.sf(z), method="bh")
    hot = {cells[i] for i in np.flatnonzero((q < 0.05) & (z > 0))}
    assert (0, 0) in hot
    assert hot <= cluster | {n for c in cluster for n in hexgrid.neighbours(*c)}  # only the cluster's own neighbourhood
    assert len(hot) >= 7 - 1
    assert not any(c not in cluster and all(n not in cluster for n in hexgrid.neighbours(*c)) for c in hot)


def test_gi_star_matches_the_formula_for_one_cell():
    values = np.array([5.0, 1.0, 1.0, 1.0])
    index = np.array([[1, 2, -1], [0, -1, -1], [0, -1, -1], [-1, -1, -1]])
    z = getis_ord_gi_star(values, index)
    n, mean = 4, 2.0
    s = np.sqrt((values**2).mean() - mean**2)
    weight = 3
    expected = (7.0 - mean * weight) / (s * np.sqrt((n * weight - weight**2) / (n - 1)))
    assert z[0] == pytest.approx(expected)


def test_hex_cells_round_trip():
    lon, lat = -1.2577, 51.752
    q, r = hexgrid.cells_of([lon], [lat])
    centre = hexgrid.cell_centre(int(q[0]), int(r[0]))
    assert abs(centre[0] - lon) < 0.005 and abs(centre[1] - lat) < 0.003
    polygon = hexgrid.cell_polygon(int(q[0]), int(r[0]))
    assert len(polygon) == 7 and polygon[0] == polygon[-1]
    assert hexgrid.cell_polygons(q, r).tolist()[0] == [list(p) for p in polygon]


def test_hotspots_from_the_fixture_file(engine):
    import_policeuk(engine, [FIXTURES / "policeuk" / "2024-01-thames-valley-street.csv"])
    frame = hotspots(engine, OXFORD, None, "2024-01", "2024-01", 12, LOCATION)
    assert frame["count"].tolist() == [2, 1]  # Jordan Hill Road (burglary, violence); Riddell Place
    assert frame["place_name"][0] == "On or near Jordan Hill Road (Oxford 001A)"
    # Nothing of the baseline is loaded: no place is classed, and the page is told why.
    assert frame["class"].tolist() == ["", ""]
    assert frame["baseline_mean"].isna().all()
    coverage = frame.attrs["coverage"]
    assert coverage.loaded == () and coverage.missing == tuple(periods.months_between("2023-01", "2023-12"))
    asb = hotspots(engine, OXFORD, [ASB], "2024-01", "2024-01", 12, LSOA)
    assert asb[["place_code", "count"]].values.tolist() == [["E01028594", 2]]
    cells = hotspots(engine, OXFORD, None, "2024-01", "2024-01", 12, CELL)
    assert cells["count"].sum() == 3
    grid = gi_star_cells(engine, OXFORD, None, "2024-01", "2024-01")
    assert grid["count"].sum() == 3


def march_2024(built_engine):
    """The real March 2024 file's path, and an engine on a database holding it: imported once
    per process and backend (three tests ask their questions of it), copied for each test."""
    path = shared_file("policeuk", "2024-03-thames-valley-street.csv.gz")
    return path, built_engine("hotspots-2024-03", lambda built: import_policeuk(built, [path]))


def test_ranked_lsoa_counts_equal_the_real_file(built_engine):
    path, engine = march_2024(built_engine)
    expected = Counter(
        row["LSOA code"] for row in street_rows(path)
        if row["LSOA name"].startswith("Oxford ") and row["Crime type"] != "Anti-social behaviour" and row["Longitude"]
    )
    frame = hotspots(engine, OXFORD, None, "2024-03", "2024-03", 12, LSOA)
    assert dict(zip(frame["place_code"], frame["count"])) == dict(expected)
    assert frame["count"].is_monotonic_decreasing


@pytest.mark.parametrize("crime_types", [None, ["burglary", "robbery"]])
def test_map_point_counts_equal_the_real_file(built_engine, crime_types):
    """All crime and a choice of types: each map point's count is the file's count of rows at
    that point."""
    path, engine = march_2024(built_engine)
    wanted = {"Burglary", "Robbery"} if crime_types else None
    expected = Counter(
        (round(float(row["Longitude"]), 5), round(float(row["Latitude"]), 5)) for row in street_rows(path)
        if row["LSOA name"].startswith("Oxford ") and row["Longitude"]
        and (row["Crime type"] in wanted if wanted else row["Crime type"] != "Anti-social behaviour")
    )
    frame = hotspots(engine, OXFORD, crime_types, "2024-03", "2024-03", 12, LOCATION)
    stored = Counter()
    for lon, lat, count in zip(frame["longitude"], frame["latitude"], frame["count"]):
        stored[(round(lon, 5), round(lat, 5))] += count
    assert stored == expected


def test_no_baseline_counts_a_month_that_is_not_loaded(engine):
    """Real months 2024-01 to 2024-04: a 12-month baseline for 2024-04 has three loaded months,
    and every usual level is the baseline count over those three, counted from the files."""
    paths = [shared_file("policeuk", f"2024-0{m}-thames-valley-street.csv.gz") for m in (1, 2, 3, 4)]
    import_policeuk(engine, paths)
    expected = Counter(
        row["LSOA code"] for path in paths[:3] for row in street_rows(path)
        if row["LSOA name"].startswith("Oxford ") and row["Crime type"] != "Anti-social behaviour" and row["Longitude"]
    )
    for baseline, classed in ((12, False), (6, True), (3, True)):
        frame = hotspots(engine, OXFORD, None, "2024-04", "2024-04", baseline, LSOA)
        coverage = frame.attrs["coverage"]
        assert coverage.loaded == ("2024-01", "2024-02", "2024-03")
        assert coverage.classed is classed
        assert (frame["baseline_months_loaded"] == 3).all()
        assert dict(zip(frame["place_code"], frame["baseline_count"])) == {
            code: expected.get(code, 0) for code in frame["place_code"]}
        assert frame["baseline_mean"].to_numpy() == pytest.approx(frame["baseline_count"].to_numpy() / 3)
        if not classed:
            assert (frame["class"] == "").all()


def test_classes_are_the_same_with_older_months_loaded(engine):
    """Real months: the same question (February to April 2024 against the four months before)
    gives the same places, counts, tests and classes before and after 2018-03 and 2022-01 are
    loaded (their map points and retired 2011 LSOA codes included), by map point and by LSOA."""
    recent = [shared_file("policeuk", f"{m}-thames-valley-street.csv.gz")
              for m in ("2023-12", "2024-01", "2024-02", "2024-03", "2024-04")]
    older = [shared_file("policeuk", f"{m}-thames-valley-street.csv.gz") for m in ("2018-03", "2022-01")]
    import_policeuk(engine, recent)
    columns = ["place_name", "lsoa_code", "count", "baseline_count", "p_value", "q_value", "q_below", "class"]

    def answer(level):
        frame = hotspots(engine, OXFORD, None, "2024-02", "2024-04", 4, level)
        return frame[columns].sort_values(["place_name", "lsoa_code", "count"]).reset_index(drop=True)

    def clusters():
        cells = gi_star_cells(engine, OXFORD, None, "2024-02", "2024-04", baseline_months=4)
        return cells[["cell_id", "count", "z", "q_value", "cluster"]].sort_values("cell_id").reset_index(drop=True)

    before = {level: answer(level) for level in (LOCATION, LSOA)}
    cells_before = clusters()
    import_policeuk(engine, older)
    for level in (LOCATION, LSOA):
        pd.testing.assert_frame_equal(answer(level), before[level])
    pd.testing.assert_frame_equal(clusters(), cells_before)  # Gi* over the same cells
    by_lsoa = before[LSOA]
    assert by_lsoa["lsoa_code"].isin(current_lsoas(["E07000178"])).all()  # no retired 2011 code is a place
    assert set(by_lsoa["class"]) <= {"new", "emerging", "persistent", "busy", "fading", "steady", "too_few"}


def test_one_read_gives_what_the_database_groups(engine):
    """The counts by place and month and the split by crime type, from one read of the
    stored rows, equal the database's own GROUP BY over the same rows."""
    from sqlalchemy import func, select

    from queries.demo import load_demo
    from queries.hotspots import _fetch_counts_and_split
    from queries.reference import THAMES_VALLEY
    from queries.schema import place_count

    load_demo(engine, "2024-01", "2024-03", scale=0.02)
    counted, split = _fetch_counts_and_split(engine, THAMES_VALLEY, None, "2024-01", "2024-02", "2024-03", "2024-03")
    where = (place_count.c.crime_type != ASB,)
    with engine.connect() as conn:
        by_month = conn.execute(select(place_count.c.place_id, place_count.c.month, func.sum(place_count.c.count))
                                .where(*where).group_by(place_count.c.place_id, place_count.c.month)).all()
        by_type = conn.execute(select(place_count.c.place_id, place_count.c.crime_type, place_count.c.month, place_count.c.count)
                               .where(*where, place_count.c.month >= "2024-02")).all()
    got = Counter({(int(counted.place_ids[p]), counted.months[m]): int(n)
                   for p, m, n in zip(counted.place, counted.month, counted.count, strict=True)})
    assert got == Counter({(p, m): int(n) for p, m, n in by_month}) and len(got) > 10
    expected = Counter()
    for p, kind, month, n in by_type:
        expected[(p, kind, "period" if month >= "2024-03" else "baseline")] += n
    shown = Counter()
    for row in split.itertuples():
        shown[(row.place_id, row.crime_type, "period")] += row.period
        shown[(row.place_id, row.crime_type, "baseline")] += row.baseline
    assert +shown == +expected and sum(expected.values()) > 0
    assert list(split[["place_id", "crime_type"]].itertuples(index=False, name=None)) == sorted(
        {(p, kind) for p, kind, _, _ in by_type})


def test_place_names_read_as_street_signs_while_the_stored_name_stays_as_the_file_had_it(engine, tmp_path):
    from sqlalchemy import select

    from queries.schema import place

    text = (FIXTURES / "policeuk" / "2024-01-thames-valley-street.csv").read_text()
    text = text.replace("On or near Jordan Hill Road", "On or near St George'S Place")
    path = tmp_path / "2024-01-thames-valley-street.csv"
    path.write_text(text)
    import_policeuk(engine, [path])
    frame = hotspots(engine, OXFORD, None, "2024-01", "2024-01", 12, LOCATION)
    assert frame["place_name"][0] == "On or near St George's Place (Oxford 001A)"
    with engine.connect() as conn:
        stored = set(conn.execute(select(place.c.name)).scalars())
    assert "On or near St George'S Place" in stored and "On or near St George's Place" not in stored
