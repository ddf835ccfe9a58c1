"""The shipped areas of England and Wales rebuild byte for byte from the ONS files, and their
hierarchy holds the facts ONS and the Police Act give."""

from __future__ import annotations

import pytest

from queries.reference import AREAS_BY_CODE, DISTRICT_BY_LSOA_PREFIX, FORCES, containing_areas, districts_in, force_of

from .conftest import shared_file


def test_the_script_rebuilds_the_shipped_files(tmp_path, monkeypatch):
    from scripts import build_areas

    source = shared_file("geography", "lsoa21_to_utla23.csv.gz").parent
    shipped = {name: path.read_bytes() for name, path in (
        ("areas.csv", build_areas.GEOGRAPHY_OUT / "areas.csv"), ("lsoa_prefixes.csv", build_areas.GEOGRAPHY_OUT / "lsoa_prefixes.csv"),
        ("lsoa11_to_lsoa21_changes.csv", build_areas.GEOGRAPHY_OUT / "lsoa11_to_lsoa21_changes.csv"),
        *((p.name, p) for p in build_areas.POPULATION_OUT.glob("ons-mid-*.csv")))}
    monkeypatch.setattr(build_areas, "GEOGRAPHY_OUT", tmp_path)
    monkeypatch.setattr(build_areas, "POPULATION_OUT", tmp_path)
    build_areas.build(source)
    assert {name: (tmp_path / name).read_bytes() for name in shipped} == shipped


@pytest.mark.parametrize(("district", "chain"), [
    ("E07000178", ["E07000178", "E10000025", "E23000029"]),  # Oxford, Oxfordshire, Thames Valley
    ("E07000008", ["E07000008", "E10000003", "E23000023"]),  # Cambridge, Cambridgeshire, Cambridgeshire Constabulary
    ("E06000031", ["E06000031", "E23000023"]),  # Peterborough: a unitary in Cambridgeshire's force area
    ("W06000015", ["W06000015", "W15000003"]),  # Cardiff, South Wales
    ("E09000001", ["E09000001", "E23000034"]),  # the City of London has its own force
    ("E09000033", ["E09000033", "E23000001"]),  # Westminster, Metropolitan Police
    ("E06000063", ["E06000063", "E23000002"]),  # Cumberland (April 2023), Cumbria
])
def test_districts_sit_in_their_county_and_force(district, chain):
    assert containing_areas(district) == chain


def test_every_force_of_england_and_wales_has_its_area_and_districts():
    assert len(FORCES) == 43 and all(AREAS_BY_CODE[f.code].level == "force" for f in FORCES)
    assert all(districts_in(f.code) for f in FORCES)
    assert sum(len(districts_in(f.code)) for f in FORCES) == 318  # every district in exactly one force
    assert len(districts_in("W15000004")) == 4  # Dyfed-Powys: Carmarthenshire, Ceredigion, Pembrokeshire, Powys


def test_lsoa_names_of_either_vintage_find_todays_district():
    assert DISTRICT_BY_LSOA_PREFIX["Aylesbury Vale"] == "E06000060"  # 2011 name, Buckinghamshire since 2020
    assert DISTRICT_BY_LSOA_PREFIX["Allerdale"] == "E06000063"  # 2021 name, Cumberland since 2023
    assert force_of(DISTRICT_BY_LSOA_PREFIX["Cardiff"]) == "W15000003"


def test_a_split_lsoa_of_another_force_counts_under_both_vintages():
    """Cardiff 003C (2011) was split into Cardiff 003F and 003G (2021) and more (ONS lookup, change S)."""
    from queries.lsoa_sets import linked_codes

    assert {"W01001843", "W01002017", "W01002018"} <= linked_codes("W01002017")
