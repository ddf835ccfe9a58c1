"""Build the shipped areas of England and Wales and their populations from ONS releases.

    python -m scripts.build_areas SOURCE_FOLDER

SOURCE_FOLDER holds, as ONS publishes them (Open Government Licence v3.0):

- ``lsoa11_to_lsoa21_exact.csv.gz``: LSOA (2011) to LSOA (2021) to LAD (December 2022) exact fit lookup;
- ``lsoa21_to_utla23.csv.gz``: LSOA (2021) to upper-tier local authority (December 2023) lookup;
- ``lsoa21_population.csv.gz``: mid-2022 population by LSOA (2021), ``lsoacd,population``;
- ``lad_population_mid2020.csv``: mid-2020 population estimates by local authority (2021 geography).

It writes:

- ``data/geography/areas.csv``: every local authority district (December 2023), every
  two-tier county and every police force area of England and Wales, with its parent
  (district -> county -> force, or district -> force where there is no county);
- ``data/geography/lsoa_prefixes.csv``: each district name an LSOA name begins with, of
  either vintage (2011 or 2021), and the December 2023 district it now lies in, which is how
  a data.police.uk row's LSOA finds its district (plus, by code, the few 2011 LSOAs a 2013
  boundary change moved out of the district their name gives);
- ``data/geography/lsoa11_to_lsoa21_changes.csv``: the LSOAs of England and Wales split,
  merged or changed irregularly between 2011 and 2021, so a place is counted under both
  vintages' codes in any force;
- ``data/population/ons-mid-2020-local-authorities.csv`` and
  ``ons-mid-2022-local-authorities.csv``: every area's population.

How each fact is derived (nothing is copied whole):

- A 2023 district is the LSOA's 2022 district, except where the 2023 upper tier is a
  unitary authority, metropolitan district or London borough (codes E06, E08, E09, W06):
  there the district is that authority. This is exact: the April 2023 reorganisations
  (Cumberland, Westmorland and Furness, North Yorkshire, Somerset) made unitaries of whole
  2022 districts, and every other unitary is its own district.
- A county is the 2023 upper tier where it is a county council (E10).
- The police force area of each upper-tier authority is written below, from Schedule 1 to
  the Police Act 1996 as amended (every police area is a union of whole upper-tier
  authorities); the ONS police force area codes and the data.police.uk force identifiers
  are in ``queries/reference.py``. The script stops if an authority is in no force or two.
- Community safety partnerships are not built: ONS's district to partnership lookup is not
  among the sources, and a partnership is not always one district.
- Mid-2022 population: the sum of the area's 2021 LSOAs. Mid-2020: ONS's district
  estimates, the 2022 districts summed into the 2023 unitaries they formed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from queries.forces import FORCES  # noqa: E402 (after the path)

GEOGRAPHY_OUT = ROOT / "data" / "geography"
POPULATION_OUT = ROOT / "data" / "population"

# Police Act 1996, Schedule 1 (as amended): each force's upper-tier authorities (December
# 2023 codes). The Metropolitan Police area is every London borough but the City.
FORCE_AUTHORITIES: dict[str, tuple[str, ...]] = {
    "E23000034": ("E09000001",),
    "E23000002": ("E06000063", "E06000064"),
    "E23000003": ("E10000017", "E06000008", "E06000009"),
    "E23000004": ("E08000011", "E08000012", "E08000013", "E08000014", "E08000015"),
    "E23000005": tuple(f"E080000{n:02d}" for n in range(1, 11)),
    "E23000006": ("E06000006", "E06000007", "E06000049", "E06000050"),
    "E23000007": ("E06000057", "E08000021", "E08000022", "E08000023", "E08000024", "E08000037"),
    "E23000008": ("E06000047", "E06000005"),
    "E23000009": ("E06000065", "E06000014"),
    "E23000010": ("E08000032", "E08000033", "E08000034", "E08000035", "E08000036"),
    "E23000011": ("E08000016", "E08000017", "E08000018", "E08000019"),
    "E23000012": ("E06000010", "E06000011", "E06000012", "E06000013"),
    "E23000013": ("E06000001", "E06000002", "E06000003", "E06000004"),
    "E23000014": tuple(f"E080000{n:02d}" for n in range(25, 32)),
    "E23000015": ("E10000028", "E06000021"),
    "E23000016": ("E06000019", "E06000020", "E06000051", "E10000034"),
    "E23000017": ("E10000031",),
    "E23000018": ("E10000007", "E06000015"),
    "E23000019": ("E10000024", "E06000018"),
    "E23000020": ("E10000019",),
    "E23000021": ("E10000018", "E06000016", "E06000017"),
    "E23000022": ("E06000061", "E06000062"),
    "E23000023": ("E10000003", "E06000031"),
    "E23000024": ("E10000020",),
    "E23000025": ("E10000029",),
    "E23000026": ("E06000055", "E06000056", "E06000032"),
    "E23000027": ("E10000015",),
    "E23000028": ("E10000012", "E06000033", "E06000034"),
    "E23000029": ("E10000025", "E06000036", "E06000037", "E06000038", "E06000039", "E06000040",
                  "E06000041", "E06000042", "E06000060"),
    "E23000030": ("E10000014", "E06000044", "E06000045", "E06000046"),
    "E23000031": ("E10000030",),
    "E23000032": ("E10000016", "E06000035"),
    "E23000033": ("E10000011", "E10000032", "E06000043"),
    "E23000035": ("E10000008", "E06000026", "E06000027", "E06000052", "E06000053"),
    "E23000036": ("E06000022", "E06000023", "E06000024", "E06000025", "E06000066"),
    "E23000037": ("E10000013",),
    "E23000038": ("E06000054", "E06000030"),
    "E23000039": ("E06000058", "E06000059"),
    "W15000001": ("W06000001", "W06000002", "W06000003", "W06000004", "W06000005", "W06000006"),
    "W15000002": ("W06000018", "W06000019", "W06000020", "W06000021", "W06000022"),
    "W15000003": ("W06000011", "W06000012", "W06000013", "W06000014", "W06000015", "W06000016", "W06000024"),
    "W15000004": ("W06000008", "W06000009", "W06000010", "W06000023"),
}
METROPOLITAN = "E23000001"
UNITARY_PREFIXES = ("E06", "E08", "E09", "W06")
SOURCE_2022 = "ONS, population by LSOA (2021 geography), mid-2022 estimates: sum of the area's 2021 LSOAs"
SOURCE_2020 = "ONS, Mid-2020 population estimates for the UK (2021 local authority geography), all ages"


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig", dtype=str)


def force_of_authority(authorities: list[str]) -> dict[str, str]:
    """Each upper-tier authority's police force area; stops on one in none or in two."""
    owner: dict[str, str] = {}
    for force, codes in FORCE_AUTHORITIES.items():
        for code in codes:
            if code in owner:
                raise SystemExit(f"{code} is in two forces: {owner[code]} and {force}")
            owner[code] = force
    for code in authorities:
        if code not in owner:
            if not code.startswith("E09"):
                raise SystemExit(f"upper-tier authority {code} is in no police force area")
            owner[code] = METROPOLITAN
    unknown = set(owner) - set(authorities)
    if unknown:
        raise SystemExit(f"authorities not in the lookup: {sorted(unknown)}")
    return owner


def lsoa_table(source: Path) -> pd.DataFrame:
    """One row per 2021 LSOA: its 2023 district, its county (or none) and its force."""
    lookup = _read(source / "lsoa11_to_lsoa21_exact.csv.gz")
    utla = _read(source / "lsoa21_to_utla23.csv.gz")[["LSOA21CD", "UTLA23CD", "UTLA23NM"]]
    lsoas = lookup.drop_duplicates("LSOA21CD")[["LSOA21CD", "LSOA21NM", "LAD22CD", "LAD22NM"]].merge(
        utla, on="LSOA21CD", how="outer", validate="one_to_one", indicator=True)
    if (lsoas["_merge"] != "both").any():
        raise SystemExit(f"{int((lsoas['_merge'] != 'both').sum())} LSOAs are in only one lookup")
    unitary = lsoas["UTLA23CD"].str[:3].isin(UNITARY_PREFIXES)
    lsoas["district_code"] = lsoas["LAD22CD"].where(~unitary, lsoas["UTLA23CD"])
    lsoas["district_name"] = lsoas["LAD22NM"].where(~unitary, lsoas["UTLA23NM"])
    lsoas["county_code"] = lsoas["UTLA23CD"].where(~unitary)
    owner = force_of_authority(sorted(lsoas["UTLA23CD"].unique()))
    lsoas["force_code"] = lsoas["UTLA23CD"].map(owner)
    return lsoas.drop(columns="_merge")


def area_rows(lsoas: pd.DataFrame) -> pd.DataFrame:
    forces = {f.code: f.area_name for f in FORCES}
    districts = lsoas.drop_duplicates("district_code")
    if districts.groupby("district_code")["force_code"].nunique().max() > 1:
        raise SystemExit("a district lies in two forces")
    rows = [{"code": code, "name": name, "level": "force", "parent_code": ""} for code, name in forces.items()]
    counties = lsoas.dropna(subset=["county_code"]).drop_duplicates("county_code")
    rows += [{"code": r.county_code, "name": r.UTLA23NM, "level": "county", "parent_code": r.force_code}
             for r in counties.itertuples()]
    rows += [{"code": r.district_code, "name": r.district_name, "level": "district",
              "parent_code": r.county_code if isinstance(r.county_code, str) else r.force_code}
             for r in districts.itertuples()]
    frame = pd.DataFrame(rows)
    # A force area named like a county or a district ("Cambridgeshire", "Kent") says it is the force's area.
    clash = frame["level"].eq("force") & frame["name"].isin(frame.loc[frame["level"] != "force", "name"])
    frame.loc[clash, "name"] = frame.loc[clash, "name"] + " police force area"
    order = {"force": 0, "county": 1, "district": 2}
    return frame.sort_values(["level", "code"], key=lambda s: s.map(order) if s.name == "level" else s)


def prefix_rows(source: Path, lsoas: pd.DataFrame) -> pd.DataFrame:
    """District name prefixes of LSOA names, of both vintages, and the 2023 district they lie
    in; where a 2011 LSOA's prefix names a district it no longer lies in (the 2013 boundary
    changes of Gateshead and Northumberland, East Hertfordshire and Welwyn Hatfield), the
    LSOA's own code with its district follows the prefix."""
    lookup = _read(source / "lsoa11_to_lsoa21_exact.csv.gz")
    district = lookup["LSOA21CD"].map(lsoas.set_index("LSOA21CD")["district_code"])
    pairs = pd.concat([
        pd.DataFrame({"code": lookup["LSOA21CD"], "prefix": lookup["LSOA21NM"].str.rsplit(" ", n=1).str[0], "district_code": district}),
        pd.DataFrame({"code": lookup["LSOA11CD"], "prefix": lookup["LSOA11NM"].str.rsplit(" ", n=1).str[0], "district_code": district}),
    ]).drop_duplicates()
    # Four 2011 LSOAs changed irregularly across a district boundary in 2021 (ONS change
    # indicator X): no one district is exact for them, so they follow the district their name gives.
    split = pairs.groupby("code")["district_code"].transform("nunique") > 1
    pairs = pairs[~split]
    # Each prefix takes the district most of its LSOAs lie in; the others are listed by code.
    majority = pairs.groupby("prefix")["district_code"].agg(lambda s: s.value_counts().index[0])
    exceptions = pairs[pairs["district_code"] != pairs["prefix"].map(majority)]
    rows = pd.concat([
        pd.DataFrame({"prefix": majority.index, "district_code": majority.values}),
        pd.DataFrame({"prefix": exceptions["code"], "district_code": exceptions["district_code"]}),
    ])
    return rows.drop_duplicates().sort_values("prefix")


def change_rows(source: Path) -> pd.DataFrame:
    """The rows of the LSOA 2011 to 2021 lookup for LSOAs that were split, merged or changed
    irregularly, in England and Wales: an unchanged LSOA keeps its code, so needs no row."""
    lookup = _read(source / "lsoa11_to_lsoa21_exact.csv.gz")
    changed = lookup[lookup["CHGIND"] != "U"][["LSOA11CD", "LSOA21CD", "CHGIND"]]
    return changed.sort_values(["LSOA11CD", "LSOA21CD"])


def population_rows(source: Path, lsoas: pd.DataFrame, areas: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    names = areas.set_index("code")["name"]
    levels = areas.set_index("code")["level"]
    people = _read(source / "lsoa21_population.csv.gz")
    merged = lsoas.merge(people, left_on="LSOA21CD", right_on="lsoacd", how="left")
    if merged["population"].isna().any():
        raise SystemExit(f"{int(merged['population'].isna().sum())} LSOAs have no population")
    merged["population"] = merged["population"].astype(int)

    def totals(by_lad: pd.Series, year: int, source_text: str) -> pd.DataFrame:
        rows = []
        for level, column in (("district", "district_code"), ("county", "county_code"), ("force", "force_code")):
            frame = merged.dropna(subset=[column]).drop_duplicates(["LAD22CD"])[["LAD22CD", column]]
            summed = frame.assign(population=frame["LAD22CD"].map(by_lad)).groupby(column)["population"].sum()
            for code, total in summed.items():
                text = source_text if level == "district" else f"{source_text} (the sum of its districts)"
                rows.append({"area_code": code, "area_name": names[code], "year": year, "population": int(total), "source": text})
        out = pd.DataFrame(rows)
        order = {"district": 0, "county": 1, "force": 2}
        return out.sort_values(["area_code"]).sort_values("area_code", key=lambda s: s.map(levels).map(order), kind="stable")

    by_lad_2022 = merged.groupby("LAD22CD")["population"].sum()
    mid2022 = totals(by_lad_2022, 2022, SOURCE_2022)
    mid2022["source"] = mid2022["source"].where(~mid2022["source"].eq(SOURCE_2022),
                                                  SOURCE_2022)
    estimates = _read(source / "lad_population_mid2020.csv")
    estimates = estimates[estimates["Code"].isin(merged["LAD22CD"])]
    by_lad_2020 = estimates.set_index("Code")["All ages"].str.replace(",", "").astype(int)
    missing = set(merged["LAD22CD"]) - set(by_lad_2020.index)
    if missing:
        raise SystemExit(f"no mid-2020 estimate for {sorted(missing)}")
    mid2020 = totals(by_lad_2020, 2020, SOURCE_2020)
    return mid2020, mid2022


def build(source: Path) -> None:
    lsoas = lsoa_table(source)
    areas = area_rows(lsoas)
    areas.to_csv(GEOGRAPHY_OUT / "areas.csv", index=False)
    prefix_rows(source, lsoas).to_csv(GEOGRAPHY_OUT / "lsoa_prefixes.csv", index=False)
    change_rows(source).to_csv(GEOGRAPHY_OUT / "lsoa11_to_lsoa21_changes.csv", index=False)
    mid2020, mid2022 = population_rows(source, lsoas, areas)
    mid2020.to_csv(POPULATION_OUT / "ons-mid-2020-local-authorities.csv", index=False)
    mid2022.to_csv(POPULATION_OUT / "ons-mid-2022-local-authorities.csv", index=False)
    counts = areas["level"].value_counts()
    print(f"{counts.get('district', 0)} districts, {counts.get('county', 0)} counties, {counts.get('force', 0)} force areas")


if __name__ == "__main__":
    build(Path(sys.argv[1]))
