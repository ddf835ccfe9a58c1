"""The filter state shared by every page, kept in the URL query string.

The parameter names are the API's (``area``, ``crime_type``, ``from``, ``to``, ``grain``)
plus ``measure``. Reading is forgiving: a value that makes no sense is dropped and the
default used, so any URL opens a page; writing leaves defaults out, so URLs stay short.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from urllib.parse import parse_qs, urlencode

from queries import partnership, periods
from queries.hotspots import LEVELS, LOCATION
from queries.incident_sources import SOURCES_BY_SLUG
from queries.reference import AREAS_BY_CODE, CRIME_TYPES_BY_SLUG

RATE = "rate"
COUNT = "count"
MEASURES = (RATE, COUNT)
BASELINE_CHOICES = (3, 6, 12, 24)
LEVEL_LABELS = {"location": "Street location", "lsoa": "LSOA", "cell": "Grid cell (250 m)"}
# The same mid-sentence ("Places by LSOA"): lower-casing the labels would give "lsoa".
LEVEL_WORDS = {"location": "street location", "lsoa": "LSOA", "cell": "grid cell (250 m)"}
GRAIN_LABELS = {
    periods.MONTH: "Month",
    periods.QUARTER: "Quarter",
    periods.FINANCIAL_YEAR: "Financial year (April to March)",
    periods.CALENDAR_YEAR: "Calendar year",
    periods.ROLLING_12: "Rolling 12 months",
}
# The same mid-sentence ("by financial year (April to March)"): lower-casing the labels gave "april".
GRAIN_WORDS = {grain: label[:1].lower() + label[1:] for grain, label in GRAIN_LABELS.items()}


@dataclass(frozen=True)
class Filters:
    # The partnership's home area and the areas it compares with, read when filters are made.
    areas: tuple[str, ...] = field(default_factory=lambda: partnership.current().areas)
    crime_types: tuple[str, ...] = ()  # empty: all crime excluding anti-social behaviour
    start: str | None = None
    end: str | None = None
    grain: str = periods.MONTH
    measure: str = RATE
    baseline: int = 12  # hotspots: months before the recent period to compare with
    level: str = LOCATION  # hotspots: street location, LSOA or grid cell
    sources: tuple[str, ...] = ()  # hotspots: incident sources counted together; empty: police.uk's
    embed: bool = False  # ?embed=1: no navigation or footer, for an iframe
    show_filters: bool = True  # &filters=0 hides the filter bar (embedded views)

    @classmethod
    def from_query(cls, search: str | None, defaults: Filters | None = None) -> Filters:
        defaults = defaults or cls()
        args = parse_qs((search or "").lstrip("?"), keep_blank_values=True)
        areas = tuple(dict.fromkeys(a for a in args.get("area", []) if a in AREAS_BY_CODE))
        if "area" not in args:
            areas = defaults.areas
        crime_types = tuple(dict.fromkeys(c for c in args.get("crime_type", []) if c in CRIME_TYPES_BY_SLUG))
        if "crime_type" not in args:
            crime_types = defaults.crime_types
        start = _first(args, "from")
        end = _first(args, "to")
        start = start if periods.is_supported_month(start) else defaults.start
        end = end if periods.is_supported_month(end) else defaults.end
        if start and end and start > end:
            start, end = end, start
        grain = _first(args, "grain")
        measure = _first(args, "measure")
        baseline = _first(args, "baseline_months")
        level = _first(args, "level")
        sources = tuple(dict.fromkeys(s for s in args.get("source", []) if s in SOURCES_BY_SLUG))
        if "source" not in args:
            sources = defaults.sources
        return cls(
            areas=areas,
            crime_types=crime_types,
            start=start,
            end=end,
            grain=grain if grain in periods.GRAINS else defaults.grain,
            measure=measure if measure in MEASURES else defaults.measure,
            baseline=int(baseline) if baseline in {str(b) for b in BASELINE_CHOICES} else defaults.baseline,
            level=level if level in LEVELS else defaults.level,
            sources=sources,
            embed=args.get("embed", [""])[0] == "1",
            show_filters=args.get("filters", [""])[0] != "0",
        )

    @classmethod
    def from_controls(cls, areas, crime_types, start, end, grain, measure, defaults: Filters,
                      baseline=None, level=None) -> Filters:
        """Filters from the filter bar's values, checked as strictly as a URL is."""
        order = {code: i for i, code in enumerate(dict.fromkeys(partnership.current().areas + tuple(AREAS_BY_CODE)))}
        chosen = sorted({a for a in areas if isinstance(a, str) and a in AREAS_BY_CODE}, key=order.get)
        pairs = [("area", a) for a in chosen] or [("area", "")]
        pairs += [("crime_type", c) for c in crime_types if isinstance(c, str)]
        pairs += [(name, value) for name, value in (("from", start), ("to", end), ("grain", grain), ("measure", measure),
                                                    ("baseline_months", baseline), ("level", level))
                  if isinstance(value, str) and value]
        return cls.from_query("?" + urlencode(pairs), defaults)

    def to_query(self, defaults: Filters | None = None) -> str:
        """The query string for these filters ('' when all are defaults), with a leading '?'."""
        defaults = defaults or Filters()
        pairs: list[tuple[str, str]] = []
        if self.areas != defaults.areas:
            pairs += [("area", a) for a in self.areas] or [("area", "")]
        if self.crime_types != defaults.crime_types:
            pairs += [("crime_type", c) for c in self.crime_types]
        for name, value, default in (
            ("from", self.start, defaults.start), ("to", self.end, defaults.end),
            ("grain", self.grain, defaults.grain), ("measure", self.measure, defaults.measure),
            ("baseline_months", str(self.baseline), str(defaults.baseline)), ("level", self.level, defaults.level),
        ):
            if value and value != default:
                pairs.append((name, value))
        if self.sources != defaults.sources:
            pairs += [("source", s) for s in self.sources]
        if self.embed:
            pairs.append(("embed", "1"))
        if not self.show_filters:
            pairs.append(("filters", "0"))
        return "?" + urlencode(pairs) if pairs else ""

    def full_view(self) -> Filters:
        """The same view, not embedded (for the 'open full view' link)."""
        return replace(self, embed=False, show_filters=True)

    def with_changes(self, **changes) -> Filters:
        return replace(self, **changes)

    def period(self, latest: str | None, default_months: int = 36) -> tuple[str | None, str | None]:
        """The months to show: as chosen, else the latest ``default_months`` loaded."""
        end = self.end or latest
        if end is None:
            return None, None
        start = self.start or periods.add_months(end, -(default_months - 1))
        return start, end


def _first(args: dict, name: str) -> str | None:
    values = args.get(name)
    return values[0] if values else None
