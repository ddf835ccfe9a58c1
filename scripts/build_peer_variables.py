"""Derive the shipped peer variables of every district of England and Wales from ONS and
MHCLG files.

    python -m scripts.build_peer_variables POPULATION SAM IMD LOOKUP

POPULATION  ONS mid-2020 population estimates by local authority (2021 geography), all ages
            and single years of age (``lad_population_mid2020.csv``)
SAM         ONS Standard Area Measurements for administrative areas, December 2023, districts
            (``SAM_LAD_DEC_2023_UK.csv``: AREALHECT is the land area, inland water excluded)
IMD         English Indices of Deprivation 2019, File 1 (LSOA 2011 ranks; MHCLG)
LOOKUP      ONS LSOA (2011) to LSOA (2021) to LAD (2022) exact fit lookup

Writes ``data/geography/lad_peer_variables.csv``: one row per district (2021 codes, which the
police.uk LSOA names follow), with population, land area, density, age shares and the share
of its LSOAs among England's most deprived fifth. A value that cannot be derived honestly is
left blank, and ``missing`` says why: the merged 2023 districts of Cumbria, North Yorkshire
and Somerset have no land area of their own in the 2023 measurements, and the English index
does not cover Wales (the Welsh index ranks Welsh LSOAs only and is not comparable).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "data" / "geography" / "lad_peer_variables.csv"
DISTRICT_PREFIXES = ("E06", "E07", "E08", "E09", "W06")
# England's most deprived fifth of LSOAs: IMD 2019 deciles 1 and 2 (ranks 1 to 6,568 of 32,844).
MOST_DEPRIVED_DECILES = (1, 2)
COLUMNS = ["code", "name", "country", "population_2020", "land_hectares", "residents_per_hectare",
           "share_aged_15_24", "share_aged_65_plus", "share_lsoas_most_deprived_fifth", "missing"]


def _number(series: pd.Series) -> pd.Series:
    """ONS quotes populations with thousands separators ("1,234")."""
    return pd.to_numeric(series.astype(str).str.replace(",", "", regex=False).str.strip(), errors="coerce")


def population_and_age(path: str) -> pd.DataFrame:
    frame = pd.read_csv(path, encoding="utf-8-sig", dtype=str)
    frame = frame[frame["Code"].str[:3].isin(DISTRICT_PREFIXES)].copy()
    total = _number(frame["All ages"])
    young = sum(_number(frame[str(age)]) for age in range(15, 25))
    old = sum(_number(frame[str(age)]) for age in range(65, 90)) + _number(frame["90+"])
    return pd.DataFrame({
        "code": frame["Code"], "name": frame["Name"], "population_2020": total.astype("int64"),
        "share_aged_15_24": (young / total).round(4), "share_aged_65_plus": (old / total).round(4),
    })


def land_area(path: str) -> pd.Series:
    sam = pd.read_csv(path, encoding="utf-8-sig", dtype={"LAD23CD": str})
    return pd.Series(sam["AREALHECT"].astype(float).values, index=sam["LAD23CD"])


def deprivation(imd_path: str, lookup_path: str) -> pd.Series:
    """Share of each English district's 2011 LSOAs in England's most deprived fifth (IMD 2019),
    by the district the ONS lookup puts each LSOA in (LSOAs nest in districts)."""
    imd = pd.read_csv(imd_path, encoding="utf-8-sig", dtype=str)
    imd = imd.rename(columns={"LSOA code (2011)": "lsoa", "Index of Multiple Deprivation (IMD) Decile": "decile"})
    lookup = pd.read_csv(lookup_path, encoding="utf-8-sig", dtype=str)[["LSOA11CD", "LAD22CD"]].drop_duplicates("LSOA11CD")
    merged = imd[["lsoa", "decile"]].merge(lookup, left_on="lsoa", right_on="LSOA11CD", how="left")
    if merged["LAD22CD"].isna().any():
        raise SystemExit(f"{int(merged['LAD22CD'].isna().sum())} IMD LSOAs are not in the lookup")
    merged["deprived"] = merged["decile"].astype(int).isin(MOST_DEPRIVED_DECILES)
    return merged.groupby("LAD22CD")["deprived"].mean().round(4)


def build(population_path: str, sam_path: str, imd_path: str, lookup_path: str) -> pd.DataFrame:
    frame = population_and_age(population_path)
    frame["country"] = frame["code"].str[0].map({"E": "England", "W": "Wales"})
    frame["land_hectares"] = frame["code"].map(land_area(sam_path))
    frame["residents_per_hectare"] = (frame["population_2020"] / frame["land_hectares"]).round(3)
    frame["share_lsoas_most_deprived_fifth"] = frame["code"].map(deprivation(imd_path, lookup_path))
    missing = []
    for row in frame.itertuples():
        reasons = []
        if pd.isna(row.land_hectares):
            reasons.append("land area: merged into a new district in 2023, not measured separately")
        if pd.isna(row.share_lsoas_most_deprived_fifth):
            reasons.append("deprivation: the English index does not cover Wales" if row.country == "Wales"
                           else "deprivation: no IMD 2019 LSOAs")
        missing.append("; ".join(reasons))
    frame["missing"] = missing
    return frame[COLUMNS].sort_values("code").reset_index(drop=True)


def main(argv: list[str]) -> None:
    if len(argv) != 4:
        raise SystemExit(__doc__)
    frame = build(*argv)
    frame.to_csv(OUTPUT, index=False)
    print(f"{len(frame)} districts written to {OUTPUT.relative_to(ROOT)}; "
          f"{int((frame['missing'] != '').sum())} with a value missing")


if __name__ == "__main__":
    main(sys.argv[1:])
