"""Derive the shipped mid-2022 population totals from ONS LSOA (2021) estimates.

    python scripts/derive_population_2022.py LSOA21_POPULATION.csv.gz LSOA11_TO_LSOA21.csv.gz

Sums each Thames Valley district's 2021 LSOAs (districts from the ONS LSOA 2011 to 2021
lookup's LAD 2022 column), then Oxfordshire and the force from their districts, and writes
``data/population/ons-mid-2022-local-authorities.csv`` and the Thames Valley subset of the
lookup (``data/geography/lsoa11_to_lsoa21_thames_valley.csv``) that LSOA sets use.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from queries.reference import AREAS, AREAS_BY_CODE, COUNTY, DISTRICT, FORCE, districts_in  # noqa: E402 (after the path)

SOURCE = ("ONS, population by LSOA (2021 geography), mid-2022 estimates: sum of the area's "
          "2021 LSOAs")


def main(population_path: str, lookup_path: str) -> None:
    districts = {a.code for a in AREAS if a.level == DISTRICT}
    lookup = pd.read_csv(lookup_path, encoding="utf-8-sig", dtype=str)
    lookup = lookup[lookup["LAD22CD"].isin(districts)]
    lookup[["LSOA11CD", "LSOA11NM", "LSOA21CD", "LSOA21NM", "CHGIND", "LAD22CD"]].to_csv(
        ROOT / "data" / "geography" / "lsoa11_to_lsoa21_thames_valley.csv", index=False)
    population = pd.read_csv(population_path, encoding="utf-8-sig", dtype={"lsoacd": str})
    lsoas = lookup.drop_duplicates("LSOA21CD")[["LSOA21CD", "LAD22CD"]]
    merged = lsoas.merge(population, left_on="LSOA21CD", right_on="lsoacd", how="left")
    if merged["population"].isna().any():
        raise SystemExit(f"{int(merged['population'].isna().sum())} LSOAs have no population")
    by_district = merged.groupby("LAD22CD")["population"].sum()
    rows = []
    for a in AREAS:
        total = int(sum(by_district[d] for d in districts_in(a.code)))
        source = SOURCE if a.level == DISTRICT else f"{SOURCE} (the sum of its districts)"
        rows.append({"area_code": a.code, "area_name": AREAS_BY_CODE[a.code].name, "year": 2022,
                     "population": total, "source": source, "level": a.level})
    order = {FORCE: 2, COUNTY: 1, DISTRICT: 0}
    frame = pd.DataFrame(rows).sort_values(["level", "area_code"], key=lambda s: s.map(order) if s.name == "level" else s)
    frame.drop(columns="level").to_csv(ROOT / "data" / "population" / "ons-mid-2022-local-authorities.csv", index=False)
    print(frame.drop(columns="level").to_string(index=False))


if __name__ == "__main__":
    main(*sys.argv[1:3])
