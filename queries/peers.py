"""Most similar districts, from the shipped peer variables (``data/geography/lad_peer_variables.csv``).

Each variable is standardised over every district that has all of them (z = (x - mean) / sd)
and a district's peers are its k nearest by Euclidean distance on those z-scores: the nearest
neighbours method of the Home Office's most similar groups and CIPFA's nearest neighbours
model (see README, "Peers and the funnel plot"). Density enters as its logarithm: it spans
0.3 to 160 residents a hectare, and on its own scale a few inner London boroughs would
decide every distance.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .db import PROJECT_ROOT
from .importers.files import read_small_text

VARIABLES_FILE = PROJECT_ROOT / "data" / "geography" / "lad_peer_variables.csv"
# (column, heading) of each variable the distance uses, and the words a sentence names it by.
VARIABLES: tuple[tuple[str, str], ...] = (
    ("log_density", "Residents per hectare (log10)"),
    ("share_aged_15_24", "Share of residents aged 15 to 24"),
    ("share_aged_65_plus", "Share of residents aged 65 and over"),
    ("share_lsoas_most_deprived_fifth", "Share of LSOAs in England's most deprived fifth (IMD 2019)"),
)
VARIABLE_WORDS = {"log_density": "population density", "share_aged_15_24": "the share aged 15 to 24",
                  "share_aged_65_plus": "the share aged 65 and over",
                  "share_lsoas_most_deprived_fifth": "deprivation"}
DEFAULT_PEER_COUNT = 10
MAX_GROUP_FILE_BYTES = 64 * 1024
MAX_GROUP_ROWS = 400


class PeerGroupFileError(ValueError):
    """A peer group file that cannot be used, naming the file, row and field."""


@lru_cache(maxsize=1)
def _variables() -> pd.DataFrame:
    frame = pd.read_csv(VARIABLES_FILE, dtype={"code": str, "name": str, "country": str, "missing": str},
                        keep_default_na=False, na_values={"land_hectares": [""], "residents_per_hectare": [""],
                                                           "share_lsoas_most_deprived_fifth": [""]})
    frame["log_density"] = np.log10(frame["residents_per_hectare"].astype(float))
    return frame


def peer_variables() -> pd.DataFrame:
    """Every district's peer variables (a copy: the cached frame is shared)."""
    return _variables().copy()


@lru_cache(maxsize=1)
def _district_names() -> dict[str, str]:
    frame = _variables()
    return dict(zip(frame["code"], frame["name"]))


def district_names() -> dict[str, str]:
    """Every district of England and Wales by code (a copy: the cached dict is shared)."""
    return dict(_district_names())


def usable_variables(home: str, frame: pd.DataFrame) -> list[str]:
    """The variables the home district has: a Welsh district has no English deprivation rank,
    so its distances use the other variables only."""
    row = frame.loc[frame["code"] == home]
    if row.empty:
        return []
    return [column for column, _ in VARIABLES if pd.notna(row.iloc[0][column])]


@dataclass(frozen=True)
class Neighbours:
    home: str
    variables: tuple[str, ...]
    table: pd.DataFrame  # code, name, distance and the variables' values and z-scores, nearest first
    left_out: pd.DataFrame  # code, name, reason: districts with a variable missing


def nearest(home: str, k: int = DEFAULT_PEER_COUNT, frame: pd.DataFrame | None = None,
            candidates: tuple[str, ...] | None = None) -> Neighbours:
    """The ``k`` districts nearest ``home`` in the shipped variables (or in ``frame``); see
    ``_nearest``. Answers from the shipped file are kept: a page asks several times."""
    if frame is not None:
        return _nearest(home, k, frame, candidates)
    found = _nearest_shipped(home, k, candidates)
    return Neighbours(found.home, found.variables, found.table.copy(), found.left_out.copy())


@lru_cache(maxsize=64)
def _nearest_shipped(home: str, k: int, candidates: tuple[str, ...] | None) -> Neighbours:
    return _nearest(home, k, _variables(), candidates)


def _nearest(home: str, k: int, frame: pd.DataFrame, candidates: tuple[str, ...] | None) -> Neighbours:
    """The ``k`` districts nearest ``home`` (among ``candidates`` when given: the variables are
    still standardised over every district, so distances do not change with what is loaded);
    districts missing a variable the distance uses are left out (and listed) rather than
    compared on fewer variables than the rest."""
    frame = frame.copy()
    if home not in set(frame["code"]):
        raise KeyError(home)
    variables = usable_variables(home, frame)
    complete = frame.dropna(subset=variables).copy()
    left = frame.loc[~frame["code"].isin(complete["code"]), ["code", "name", "missing"]].rename(
        columns={"missing": "reason"})
    for column in variables:
        values = complete[column].astype(float)
        complete[f"z_{column}"] = (values - values.mean()) / values.std(ddof=0)
    zs = complete[[f"z_{c}" for c in variables]].to_numpy()
    origin = zs[complete["code"].to_numpy() == home][0]
    complete["distance"] = np.sqrt(((zs - origin) ** 2).sum(axis=1))
    pool = complete[complete["code"] != home]
    if candidates is not None:
        pool = pool[pool["code"].isin(candidates)]
    ranked = pool.sort_values(["distance", "code"]).head(max(0, k))
    columns = ["code", "name", "distance", *variables, *[f"z_{c}" for c in variables]]
    home_row = complete[complete["code"] == home]
    table = pd.concat([home_row, ranked])[columns].reset_index(drop=True)
    return Neighbours(home, tuple(variables), table, left.reset_index(drop=True))


def parse_group_codes(text: str, known: set[str], source: str) -> tuple[str, ...]:
    """Area codes from a setting ("E07000178, E06000038") or a file's ``code`` column, each
    checked against the districts known; an error names the source, row and field."""
    codes = []
    for position, code in enumerate((c.strip() for c in text.split(",")), start=1):
        if not code:
            continue
        if code not in known:
            raise PeerGroupFileError(f"{source}: item {position}: '{code}' is not a district code of England or Wales")
        codes.append(code)
    return tuple(dict.fromkeys(codes))


def read_group_file(path: str | Path, known: set[str]) -> tuple[str, ...]:
    """An official peer group from a CSV with a ``code`` column (other columns are ignored),
    as an analyst exports it from iQuanta or LG Inform."""
    path = Path(path)
    try:
        text = read_small_text(path, MAX_GROUP_FILE_BYTES)
    except ValueError as problem:
        raise PeerGroupFileError(str(problem)) from None
    reader = csv.DictReader(io.StringIO(text))
    fields = [f.strip().lower() for f in reader.fieldnames or []]
    if "code" not in fields:
        raise PeerGroupFileError(f"{path.name}: row 1: no 'code' column")
    column = (reader.fieldnames or [])[fields.index("code")]
    codes = []
    for line, row in enumerate(reader, start=2):
        if line > MAX_GROUP_ROWS + 1:
            raise PeerGroupFileError(f"{path.name}: more than {MAX_GROUP_ROWS} rows")
        code = (row.get(column) or "").strip()
        if not code:
            raise PeerGroupFileError(f"{path.name}: row {line}: field 'code' is empty")
        if code not in known:
            raise PeerGroupFileError(f"{path.name}: row {line}: field 'code': '{code}' is not a district code "
                                     "of England or Wales")
        codes.append(code)
    return tuple(dict.fromkeys(codes))
