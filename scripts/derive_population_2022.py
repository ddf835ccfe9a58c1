"""Write the Thames Valley subset of the ONS LSOA 2011 to 2021 lookup that LSOA sets use.

    python scripts/derive_population_2022.py LSOA21_POPULATION.csv.gz LSOA11_TO_LSOA21.csv.gz

Writes ``data/geography/lsoa11_to_lsoa21_thames_valley.csv``: the lookup's rows whose 2022
district lies in Thames Valley. The mid-2022 population of every area of England and Wales
is built by ``scripts/build_areas.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from queries.reference import AREAS, THAMES_VALLEY, force_of  # noqa: E402 (after the path)


def main(population_path: str, lookup_path: str) -> None:
    del population_path  # kept so the documented command line still works
    districts = {a.code for a in AREAS if a.level == "district" and force_of(a.code) == THAMES_VALLEY}
    lookup = pd.read_csv(lookup_path, encoding="utf-8-sig", dtype=str)
    lookup = lookup[lookup["LAD22CD"].isin(districts)]
    lookup[["LSOA11CD", "LSOA11NM", "LSOA21CD", "LSOA21NM", "CHGIND", "LAD22CD"]].to_csv(
        ROOT / "data" / "geography" / "lsoa11_to_lsoa21_thames_valley.csv", index=False)


if __name__ == "__main__":
    main(*sys.argv[1:3])
