"""Hotspot statistics against cases worked by hand, and hotspots from real files."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from scipy.stats import false_discovery_control

from queries import hexgrid
from queries.hotspots import CELL, EMERGING, LOCATION, LSOA, NEW, PERSISTENT, classify, gi_star_cells, hotspots
from queries.importers.policeuk import import_policeuk
from queries.reference import ASB, OXFORD
from queries.stats import benjamini_hochberg, getis_ord_gi_star

from .conftest import FIXTURES, shared_file, street_rows


def test_a_place_with_no_baseline_is_new():
    result = classify([3], [0], baseline_months=12, recent_months=1, months_active=[0])
    assert result["class"].tolist() == [NEW]
    assert np.isnan(result["ratio"][0])


def test_a_place_at_exactly_its_baseline_is_not_emerging():
    # 12 in 12 baseline months: 1 a month expected; 1 seen. P(X >= 1 | 1) = 1 - e^-1.
    result = classify([1, 0], [12, 0], baseline_months=12, recent_months=1, months_active=[12, 0])
    assert result["p_value"][0] == pytest.approx(1 - np.exp(-1))
    assert result["class"][0] != EMERGING
    assert result["ratio"][0] == 1.0


def test_a_large_rise_is_emerging_and_a_steady_high_place_persistent():
    counts = [30, 12, 1, 1, 1, 1, 1, 1, 1, 1, 1]
    baseline = [24, 144, 12, 12, 12, 12, 12, 12, 12, 12, 12]  # 2 a month, 12 a month, 1 a month...
    active = [12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12]
    result = classify(counts, baseline, baseline_months=12, recent_months=1, months_active=active)
    assert result["class"][0] == EMERGING  # 30 where 2 were expected
    assert result["class"][1] == PERSISTENT  # 12 as usual: high, and in every baseline month


def test_benjamini_hochberg_by_hand_and_against_scipy():
    p = [0.01, 0.04, 0.03, 0.005]
    # Sorted: 0.005, 0.01, 0.03, 0.04 -> x4/rank: 0.02, 0.02, 0.04, 0.04 (already monotone).
    assert benjamini_hochberg(p) == pytest.approx([0.02, 0.04, 0.04, 0.02])
    rng = np.random.default_rng(3)
    many = rng.random(500) ** 3
    assert benjamini_hochberg(many) == pytest.approx(false_discovery_control(many, method="bh"))


def test_gi_star_finds_one_hot_cluster_and_nothing_else():
    cells = [(q, r) for q in range(-6, 7) for r in range(-6, 7)]
    position = {c: i for i, c in enumerate(cells)}
    cluster = {(0, 0), *hexgrid.neighbours(0, 0)}
    rng = np.random.default_rng(11)
    values = np.array([10.0 + rng.integers(0, 2) if c in cluster else float(rng.integers(0, 2)) for c in cells])
    index = np.array([[position.get(n, -1) for n in hexgrid.neighbours(*c)] for c in cells])
    z = getis_ord_gi_star(values, index)
    from scipy.stats import norm

    q = benjamini_hochberg(norm.sf(z))
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
    assert frame["class"].tolist() == [NEW, NEW]
    asb = hotspots(engine, OXFORD, [ASB], "2024-01", "2024-01", 12, LSOA)
    assert asb[["place_code", "count"]].values.tolist() == [["E01028594", 2]]
    cells = hotspots(engine, OXFORD, None, "2024-01", "2024-01", 12, CELL)
    assert cells["count"].sum() == 3
    grid = gi_star_cells(engine, OXFORD, None, "2024-01", "2024-01")
    assert grid["count"].sum() == 3


def test_ranked_lsoa_counts_equal_the_real_file(engine):
    path = shared_file("policeuk", "2024-03-thames-valley-street.csv.gz")
    import_policeuk(engine, [path])
    expected = Counter(
        row["LSOA code"] for row in street_rows(path)
        if row["LSOA name"].startswith("Oxford ") and row["Crime type"] != "Anti-social behaviour" and row["Longitude"]
    )
    frame = hotspots(engine, OXFORD, None, "2024-03", "2024-03", 12, LSOA)
    assert dict(zip(frame["place_code"], frame["count"])) == dict(expected)
    assert frame["count"].is_monotonic_decreasing
