"""Words about which incident sources a view counts and what it leaves off the map."""

from __future__ import annotations

from collections.abc import Sequence

from queries import partnership
from queries.incident_sources import POLICE_SOURCES, SOURCES_BY_SLUG

POLICE_UK = "data.police.uk street-level crime"
PRECISION_WORDS = {"lsoa": "placed only by LSOA", "district": "placed only by district",
                   "unmatched": "unmatched, placed nowhere"}


def sources_text(sources: Sequence[str] | None) -> str:
    """Where a view's figures come from."""
    chosen = sources or POLICE_SOURCES
    parts = [POLICE_UK] if any(s in POLICE_SOURCES for s in chosen) else []
    parts += [f"{partnership.current().owner_of(s)}: {SOURCES_BY_SLUG[s].title}" for s in chosen if s not in POLICE_SOURCES]
    return "; ".join(parts)


def off_the_map_note(left_out: dict[str, dict[str, int]]) -> str | None:
    """A sentence on the partner records hotspot places and grid cells cannot hold."""
    parts = []
    for source, by_precision in left_out.items():
        if not by_precision:
            continue
        total = sum(by_precision.values())
        detail = ", ".join(f"{n:,} {PRECISION_WORDS.get(p, p)}" for p, n in sorted(by_precision.items()))
        parts.append(f"{SOURCES_BY_SLUG[source].title}: {total:,} records ({detail})")
    if not parts:
        return None
    return ("Not on the map or in the places: " + "; ".join(parts) + ". Places and grid cells need a map point: "
            "records known only to an LSOA or a district count in the area's totals only, and unmatched records "
            "in the force's alone (listed for correction).")
