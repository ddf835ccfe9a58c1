"""Population: the shipped estimates and ONS-style imports."""

from __future__ import annotations

import gzip
import shutil

import pytest

from queries.areas import list_areas, population_for_year, population_table
from queries.importers.errors import ImportRejected
from queries.importers.population import import_population
from queries.reference import AREAS, COUNTY, DISTRICT, OXFORD, OXFORDSHIRE, THAMES_VALLEY, districts_in

from .conftest import shared_file
from .helpers import snapshot


def test_every_area_has_a_population_with_its_year(engine):
    areas = list_areas(engine).set_index("code")
    assert len(areas) == 318 + 21 + 43  # districts, counties and force areas of England and Wales (Dec 2023)
    assert areas["population"].notna().all()
    assert set(areas["population_year"]) == {2022}
    assert areas.loc[OXFORD, "population"] == 163257


def test_county_and_force_equal_the_sum_of_their_districts(engine):
    areas = list_areas(engine).set_index("code")
    for parent in (OXFORDSHIRE, THAMES_VALLEY, "E10000003", "E23000023", "W15000003", "E23000001"):
        assert areas.loc[parent, "population"] == sum(areas.loc[c, "population"] for c in districts_in(parent))
    assert len(districts_in(THAMES_VALLEY)) == 13
    assert len(districts_in("E23000001")) == 32  # the Metropolitan Police area: every London borough but the City
    assert sum(1 for a in AREAS if a.level == DISTRICT) == 318 and sum(1 for a in AREAS if a.level == COUNTY) == 21


def test_mid_2022_totals_are_sums_of_the_lsoa_file(engine):
    """The shipped mid-2022 figures against a sum straight from the ONS LSOA file."""
    import pandas as pd

    lsoas = pd.read_csv(shared_file("geography", "lsoa21_population.csv.gz"), encoding="utf-8-sig")
    lookup = pd.read_csv(shared_file("geography", "lsoa11_to_lsoa21_exact.csv.gz"), encoding="utf-8-sig")
    oxford = set(lookup.loc[lookup["LAD22CD"] == OXFORD, "LSOA21CD"])
    table = population_table(engine, [OXFORD, OXFORDSHIRE, THAMES_VALLEY])
    assert dict(table[OXFORD])[2022] == lsoas.loc[lsoas["lsoacd"].isin(oxford), "population"].sum()
    assert dict(table[OXFORD])[2020] == 151584  # mid-2020 is kept
    tv = set(lookup.loc[lookup["LAD22CD"].isin(districts_in(THAMES_VALLEY)), "LSOA21CD"])
    assert dict(table[THAMES_VALLEY])[2022] == lsoas.loc[lsoas["lsoacd"].isin(tv), "population"].sum()


def test_a_2023_unitary_and_a_welsh_district_from_the_ons_files(engine):
    """Cumberland (April 2023: Allerdale, Carlisle and Copeland) and Cardiff, summed by hand
    from the ONS files: the mid-2020 district estimates and the mid-2022 LSOA estimates."""
    import pandas as pd

    lsoas = pd.read_csv(shared_file("geography", "lsoa21_population.csv.gz"), encoding="utf-8-sig")
    lookup = pd.read_csv(shared_file("geography", "lsoa11_to_lsoa21_exact.csv.gz"), encoding="utf-8-sig")
    mid2020 = pd.read_csv(shared_file("geography", "lad_population_mid2020.csv"), encoding="utf-8-sig", dtype=str)
    mid2020 = mid2020.dropna(subset=["Code", "All ages"]).set_index("Code")["All ages"].str.replace(",", "").astype(int)
    cumberland_2022 = ("E07000026", "E07000028", "E07000029")  # Allerdale, Carlisle, Copeland
    table = population_table(engine, ["E06000063", "W06000015"])
    in_cumberland = set(lookup.loc[lookup["LAD22CD"].isin(cumberland_2022), "LSOA21CD"])
    assert dict(table["E06000063"]) == {2020: sum(mid2020[c] for c in cumberland_2022),
                                        2022: lsoas.loc[lsoas["lsoacd"].isin(in_cumberland), "population"].sum()}
    in_cardiff = set(lookup.loc[lookup["LAD22CD"] == "W06000015", "LSOA21CD"])
    assert dict(table["W06000015"]) == {2020: mid2020["W06000015"],
                                        2022: lsoas.loc[lsoas["lsoacd"].isin(in_cardiff), "population"].sum()}


def test_population_year_choice():
    estimates = [(2020, 100), (2022, 120)]
    assert population_for_year(estimates, 2017) == (2020, 100)  # the nearest, before or after
    assert population_for_year(estimates, 2020) == (2020, 100)
    assert population_for_year(estimates, 2021) == (2020, 100)  # a tie goes to the earlier estimate
    assert population_for_year(estimates, 2024) == (2022, 120)
    assert population_for_year([(2011, 5), (2020, 100), (2022, 120)], 2014) == (2011, 5)
    assert population_for_year([], 2024) == (None, None)


def test_import_newer_area_estimates(engine, tmp_path):
    path = tmp_path / "mid-2023.csv"
    path.write_text("Code,Name,Geography,All ages\nE07000178,Oxford,Non-metropolitan District,\"165,200\"\nS12000033,Aberdeen City,Council Area,\"227,430\"\n")
    summary = import_population(engine, path, year=2023, source="ONS mid-2023 (test)")
    assert (summary.rows_read, summary.rows_stored, summary.skipped_unknown) == (2, 1, 1)
    assert population_table(engine, [OXFORD])[OXFORD] == [(2020, 151584), (2022, 163257), (2023, 165200)]


def test_import_rejects_bad_numbers_and_changes_nothing(engine, tmp_path):
    before = snapshot(engine)
    path = tmp_path / "bad.csv"
    path.write_text("code,year,population\nE07000178,2023,many\n")
    with pytest.raises(ImportRejected, match=r"row 2, field 'population': 'many' is not a whole number"):
        import_population(engine, path)
    path.write_text("code,population\nE07000178,1000\n")
    with pytest.raises(ImportRejected, match="give the year"):
        import_population(engine, path)
    assert snapshot(engine) == before


def test_import_real_lsoa_estimates(engine, tmp_path):
    source = shared_file("geography", "lsoa21_population.csv.gz")
    path = tmp_path / "lsoa21_population.csv.gz"
    shutil.copy(source, path)
    summary = import_population(engine, path, year=2022, source="ONS mid-2022 by LSOA 2021")
    with gzip.open(source, "rt", encoding="utf-8-sig") as handle:
        expected = sum(1 for _ in handle) - 1
    assert summary.rows_read == expected and summary.rows_stored == expected
    assert population_table(engine, ["E01011949"])["E01011949"] == [(2022, 1866)]
