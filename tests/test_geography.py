"""Shipped boundaries and LSOA lookup: loaded on a fresh database, both LSOA vintages found,
context values as in the ONS files, and the build script reproduces what is shipped."""

from __future__ import annotations

import csv
import gzip
import json
import shutil

import pandas as pd
import pytest

from queries.geography import LOOKUP_PATH, lsoa_lookup, polygon_codes, with_lsoa_context
from queries.hotspots import boundaries
from queries.reference import OXFORD, THAMES_VALLEY

from .conftest import shared_file


def test_a_fresh_database_has_district_and_lsoa_boundaries(sqlite_engine):
    shapes = boundaries(sqlite_engine, THAMES_VALLEY)
    assert (shapes["level"] == "district").sum() == 13
    assert (shapes["level"] == "lsoa").sum() == 1415
    oxford = boundaries(sqlite_engine, OXFORD)
    assert set(oxford.loc[oxford["level"] == "district", "name"]) == {"Oxford"}
    assert (oxford["level"] == "lsoa").sum() == 83  # Oxford's 2011 LSOAs
    geometry = json.loads(oxford["geometry"].iloc[0])
    assert geometry["type"] in ("Polygon", "MultiPolygon")


def test_both_vintages_find_their_polygons():
    assert polygon_codes("E01028594") == ["E01028594"]  # unchanged: Oxford 001A
    merged = [row for row in csv.DictReader(LOOKUP_PATH.open()) if row["vintage"] == "2021" and ";" in row["polygons"]]
    assert merged, "some 2021 LSOAs were merged from two 2011 ones"
    for row in merged:
        assert all(polygon_codes(part) == [part] for part in row["polygons"].split(";"))
    assert polygon_codes("E09999999") == []


def test_context_against_the_ons_files():
    imd = {r["lsoa11cd"]: r for r in csv.DictReader(shared_file("geography", "imd2019_lsoa11_thames_valley.csv").open())}
    with gzip.open(shared_file("geography", "lsoa21_population.csv.gz"), "rt", encoding="utf-8-sig") as handle:
        population = {r["lsoacd"]: int(r["population"]) for r in csv.DictReader(handle)}
    lookup = lsoa_lookup()
    for code in ("E01028594", "E01016180", "E01028521"):
        assert lookup.at[code, "imd2019_decile"] == int(imd[code]["imd2019_decile"])
        assert lookup.at[code, "population"] == population[code]
    frame = with_lsoa_context(pd.DataFrame({"lsoa_code": ["E01028594", "X"], "count": [10, 3]}))
    assert frame["rate_per_1000"][0] == pytest.approx(round(10 / population["E01028594"] * 1000, 2))
    assert frame["rate_per_1000"].isna()[1]


def test_the_build_script_reproduces_the_shipped_files(tmp_path, monkeypatch):
    from scripts import build_geography

    source = shared_file("geography", "lad2021_thames_valley.geojson").parent
    shipped = {p.name: p.read_bytes() for p in build_geography.OUT.glob("*") if p.suffix in (".geojson", ".csv")}
    monkeypatch.setattr(build_geography, "OUT", tmp_path)
    build_geography.build(source)
    built = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    # Other shipped lookups (the 2011-to-2021 LSOA table) come from their own script.
    assert set(built) == {"districts.geojson", "lsoa.geojson", "lsoa_lookup.csv"}
    assert built == {name: shipped.get(name) for name in built}
    shutil.rmtree(tmp_path)


def test_district_outlines_run_along_their_lsoas_edges():
    """Each shipped district is the union of its LSOAs: its outline's segments are exactly
    the segments of its LSOAs' rings that no other of its LSOAs shares (counted here)."""
    from collections import Counter
    from itertools import pairwise

    def segments(geometry):
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        for polygon in polygons:
            for ring in polygon:
                for a, b in pairwise(map(tuple, ring)):
                    yield (a, b) if a < b else (b, a)

    lookup = {r["code"]: r["district_code"] for r in csv.DictReader(LOOKUP_PATH.open()) if r["vintage"] == "2011"}
    lsoas = json.loads((LOOKUP_PATH.parent / "lsoa.geojson").read_text())["features"]
    districts = json.loads((LOOKUP_PATH.parent / "districts.geojson").read_text())["features"]
    assert len(districts) == 13
    for district in districts:
        code = district["properties"]["LAD21CD"]
        shared = Counter(s for f in lsoas if lookup[f["properties"]["LSOA11CD"]] == code for s in segments(f["geometry"]))
        assert set(segments(district["geometry"])) == {s for s, n in shared.items() if n == 1}, code


# Oxford's 24 wards since May 2021 (Oxford City Council electoral review), as ONS names them.
OXFORD_WARDS = {
    "Barton & Sandhills", "Blackbird Leys", "Carfax & Jericho", "Churchill", "Cowley", "Cutteslowe & Sunnymead",
    "Donnington", "Headington", "Headington Hill & Northway", "Hinksey Park", "Holywell", "Littlemore", "Lye Valley",
    "Marston", "Northfield Brook", "Osney & St Thomas", "Quarry & Risinghurst", "Rose Hill & Iffley", "St Clement's",
    "St Mary's", "Summertown", "Temple Cowley", "Walton Manor", "Wolvercote",
}


def test_a_fresh_database_has_oxfords_wards(sqlite_engine):
    oxford = boundaries(sqlite_engine, OXFORD)
    wards = oxford[oxford["level"] == "ward"]
    assert set(wards["name"]) == OXFORD_WARDS
    assert wards["code"].str.fullmatch(r"E05013(09[6-9]|1[01][0-9])").all()
    # Every Oxford LSOA's centre lies in a ward: the wards cover the city.
    from scripts.build_geography import inside, ring_centre

    rings = [json.loads(g)["coordinates"][0] for g in wards["geometry"]]
    for geometry in oxford.loc[oxford["level"] == "lsoa", "geometry"]:
        shape = json.loads(geometry)
        ring = shape["coordinates"][0] if shape["type"] == "Polygon" else max((p[0] for p in shape["coordinates"]), key=len)
        centre = ring_centre(ring)
        if inside(centre, ring):
            assert sum(inside(centre, r) for r in rings) == 1


def test_the_build_script_keeps_only_the_forces_wards(tmp_path, monkeypatch):
    from scripts import build_geography

    shipped = (build_geography.OUT / "wards.geojson").read_bytes()
    folder = tmp_path / "wards"
    folder.mkdir()
    features = json.loads(shipped)["features"]
    for feature in features:  # as ONS publishes them: no district
        feature["properties"].pop("LAD23CD")
    lines = [json.dumps(f) for f in features]
    # A ward in Basingstoke and Deane (Hampshire), outside Thames Valley.
    basingstoke = {"type": "Polygon", "coordinates": [[[-1.15, 51.26], [-1.13, 51.26], [-1.13, 51.28], [-1.15, 51.26]]]}
    lines.append(json.dumps({"type": "Feature", "properties": {"WD23CD": "E05013095", "WD23NM": "Winklebury & Manydown"},
                             "geometry": basingstoke}))
    (folder / "wards.geojsonl").write_text("\n".join(lines) + "\n")
    monkeypatch.setattr(build_geography, "OUT", tmp_path)
    districts = json.loads((LOOKUP_PATH.parent / "districts.geojson").read_text())["features"]
    kept = build_geography.build_wards(folder, {f["properties"]["LAD21CD"]: f["geometry"] for f in districts})
    assert kept == 24
    assert (tmp_path / "wards.geojson").read_bytes() == shipped
