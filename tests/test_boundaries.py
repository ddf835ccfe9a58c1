"""Boundary import for the hotspot map."""

from __future__ import annotations

import json
import shutil

import pytest

from queries.hotspots import boundaries
from queries.importers.boundaries import import_boundaries
from queries.importers.errors import ImportRejected
from queries.reference import OXFORD, OXFORDSHIRE, THAMES_VALLEY

from .conftest import shared_file
from .helpers import snapshot

SQUARE = {"type": "Polygon", "coordinates": [[[-1.3, 51.7], [-1.2, 51.7], [-1.2, 51.8], [-1.3, 51.8], [-1.3, 51.7]]]}


def write(tmp_path, features):
    path = tmp_path / "boundaries.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def test_lsoa_boundaries_are_placed_in_their_district(engine, tmp_path):
    path = write(tmp_path, [
        {"type": "Feature", "properties": {"LSOA11CD": "E01028594", "LSOA11NM": "Oxford 001A"}, "geometry": SQUARE},
        {"type": "Feature", "properties": {"LSOA11CD": "E01017929", "LSOA11NM": "Wycombe 001A"}, "geometry": SQUARE},
        {"type": "Feature", "properties": {"LSOA11CD": "E01033814", "LSOA11NM": "Central Bedfordshire 007H"}, "geometry": SQUARE},
        {"type": "Feature", "properties": {"LSOA11CD": "S01006506", "LSOA11NM": "Aberdeen City 001"}, "geometry": SQUARE},
    ])
    shipped = boundaries(engine, THAMES_VALLEY)  # init_db loads the shipped boundaries
    summary = import_boundaries(engine, path)
    # Another force's LSOA (Central Bedfordshire, Bedfordshire Police) is stored for its own
    # district; one outside England and Wales is skipped.
    assert (summary.features, summary.stored, summary.skipped_outside) == (4, 3, 1)
    oxford = boundaries(engine, OXFORD).set_index("code")
    assert oxford.at["E01028594", "geometry"] == json.dumps(SQUARE, separators=(",", ":"))  # replaced
    assert "E01017929" not in oxford.index
    assert len(boundaries(engine, THAMES_VALLEY)) == len(shipped)
    assert boundaries(engine, "E06000056").set_index("code").at["E01033814", "level"] == "lsoa"


def test_bad_features_are_named_and_nothing_is_stored(engine, tmp_path):
    before = snapshot(engine)
    path = write(tmp_path, [
        {"type": "Feature", "properties": {"LAD21CD": "E07000178", "LAD21NM": "Oxford"}, "geometry": {"type": "Point", "coordinates": [0, 0]}},
    ])
    with pytest.raises(ImportRejected, match=r"feature 1, field 'geometry': E07000178 is not a Polygon"):
        import_boundaries(engine, path)
    path.write_text("{not json")
    with pytest.raises(ImportRejected, match="not valid JSON"):
        import_boundaries(engine, path)
    assert snapshot(engine) == before


def test_real_district_boundaries(engine, tmp_path):
    source = shared_file("geography", "lad2021_thames_valley.geojson")
    path = tmp_path / "lad.geojson"
    shutil.copy(source, path)
    summary = import_boundaries(engine, path)
    assert summary.stored == 13
    shapes = boundaries(engine, OXFORDSHIRE)
    assert set(shapes.loc[shapes["level"] == "district", "name"]) == {
        "Cherwell", "Oxford", "South Oxfordshire", "Vale of White Horse", "West Oxfordshire"}


def test_wards_are_placed_in_the_district_they_name(engine, tmp_path):
    path = write(tmp_path, [
        {"type": "Feature", "properties": {"WD23CD": "E05099998", "WD23NM": "Test Ward", "LAD23CD": "E07000178"},
         "geometry": SQUARE},
        {"type": "Feature", "properties": {"WD23CD": "E05099999", "WD23NM": "Elsewhere", "LAD23CD": "E07000084"},
         "geometry": SQUARE},
        {"type": "Feature", "properties": {"WD23CD": "S13099999", "WD23NM": "Nowhere here", "LAD23CD": "S12000033"},
         "geometry": SQUARE},
    ])
    summary = import_boundaries(engine, path)
    # Basingstoke's ward is stored for Basingstoke and Deane; a Scottish one is in no district here.
    assert (summary.stored, summary.skipped_outside, summary.level) == (2, 1, "ward")
    oxford = boundaries(engine, OXFORD).set_index("code")
    assert oxford.at["E05099998", "level"] == "ward"
    assert oxford.at["E05099998", "name"] == "Test Ward"
    assert "E05099999" not in oxford.index
