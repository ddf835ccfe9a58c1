"""Before/after evaluation of an intervention: counts for target, control and buffer, the
weighted displacement difference, an interrupted time series where the data allow, and a
plain verdict.

Every check of the request raises ``EvaluationError`` naming the field, before any result
is computed; nothing here writes to the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine

from . import periods
from .incident_sources import PARTNER_SOURCES, SOURCES_BY_SLUG
from .incidents import source_months
from .its import MIN_MONTHS_BEFORE, ItsResult, interrupted_time_series
from .lsoa_sets import (
    LsoaSet,
    UnknownPlace,
    loaded_force_months,
    monthly_counts_for_sets,
    months_loaded_for_places,
    resolve,
)
from .reference import ALL_CRIME, ASB, CRIME_TYPES_BY_SLUG
from .wdd import Wdd, weighted_displacement_difference

MAX_CODES = 500  # per role: bounds the work one request can ask for
ROLES = ("target", "control", "buffer")

# Nouns for "26 fewer robberies" and "1 more robbery".
SINGULAR = {
    "anti-social-behaviour": "ASB incident", "bicycle-theft": "bicycle theft", "burglary": "burglary",
    "criminal-damage-arson": "criminal damage and arson offence", "drugs": "drug offence",
    "other-theft": "other theft", "possession-of-weapons": "weapons possession offence",
    "public-order": "public order offence", "robbery": "robbery", "shoplifting": "shoplifting offence",
    "theft-from-the-person": "theft from the person", "vehicle-crime": "vehicle crime",
    "violent-crime": "violent or sexual offence", "other-crime": "other crime",
}
PLURAL = {
    "anti-social-behaviour": "ASB incidents", "bicycle-theft": "bicycle thefts", "burglary": "burglaries",
    "criminal-damage-arson": "criminal damage and arson offences", "drugs": "drug offences",
    "other-theft": "other thefts", "possession-of-weapons": "weapons possession offences",
    "public-order": "public order offences", "robbery": "robberies", "shoplifting": "shoplifting offences",
    "theft-from-the-person": "thefts from the person", "vehicle-crime": "vehicle crimes",
    "violent-crime": "violent and sexual offences", "other-crime": "other crimes",
}


class EvaluationError(ValueError):
    """A request that cannot be evaluated; ``field`` names the part to fix."""

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


@dataclass
class Evaluation:
    crime_types: list[str] | None
    before: tuple[str, str]
    after: tuple[str, str]
    counts: dict[str, dict[str, int] | None]  # role -> {"before": n, "after": n}
    monthly: dict[str, dict[str, int]]  # role -> month -> count, in the two periods
    wdd: Wdd
    verdict: str
    notes: list[str]
    its: ItsResult | None
    its_reason: str | None
    places: dict[str, LsoaSet]
    source: str | None = None  # a partner incident source as the outcome; None: police.uk crime


def crime_subject(crime_types: Sequence[str] | None) -> str:
    """"Robbery", "Burglary and vehicle crime", "All crime"."""
    if not crime_types or set(crime_types) == set(ALL_CRIME):
        return "All crime"
    names = [CRIME_TYPES_BY_SLUG[s].name for s in crime_types]
    text = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return text[0].upper() + text[1:].lower().replace("asb", "ASB")


def crime_noun(crime_types: Sequence[str] | None, number: int = 2) -> str:
    """The noun for ``number`` incidents of these types: "1 robbery", "2 robberies"."""
    one = number == 1
    if not crime_types or set(crime_types) == set(ALL_CRIME):
        return "crime" if one else "crimes"
    if len(crime_types) == 1:
        return (SINGULAR if one else PLURAL)[crime_types[0]]
    noun = "incident" if ASB in crime_types else "offence"
    return noun if one else noun + "s"


def check_period(name: str, first: str | None, last: str | None) -> tuple[str, str]:
    for field, value in ((f"{name}_from", first), (f"{name}_to", last)):
        if not value:
            raise EvaluationError(field, "required (YYYY-MM)")
        if not periods.is_month(value):
            raise EvaluationError(field, f"{value[:20]!r} is not a month (YYYY-MM)")
    if first > last:
        raise EvaluationError(f"{name}_from", f"{first} is after {name}_to={last}")
    return first, last


def resolve_places(engine: Engine, target: Sequence[str], control: Sequence[str],
                   buffer: Sequence[str]) -> dict[str, LsoaSet]:
    """Resolve and check the three sets: a target and a control are needed, none may overlap."""
    given = {"target": list(target), "control": list(control), "buffer": list(buffer)}
    if not given["target"]:
        raise EvaluationError("target", "give at least one target LSOA or area code")
    if not given["control"]:
        raise EvaluationError("control", "give at least one control LSOA or area code (or ask for a suggested control)")
    places: dict[str, LsoaSet] = {}
    for role, codes in given.items():
        if len(codes) > MAX_CODES:
            raise EvaluationError(role, f"at most {MAX_CODES} codes")
        if not codes:
            continue
        try:
            places[role] = resolve(engine, codes)
        except UnknownPlace as exc:
            raise EvaluationError(role, str(exc)) from None
        if not places[role].codes:
            raise EvaluationError(role, "no incidents have ever been recorded in these places")
    for a, b in (("target", "control"), ("target", "buffer"), ("control", "buffer")):
        if a in places and b in places:
            shared = places[a].overlaps(places[b])
            if shared:
                raise EvaluationError(b, f"overlaps the {a}: {', '.join(sorted(shared)[:5])}"
                                         f"{' ...' if len(shared) > 5 else ''} in both")
    return places


def evaluate(engine: Engine, target: Sequence[str], control: Sequence[str], buffer: Sequence[str] = (),
             crime_types: Sequence[str] | None = None, before: tuple[str | None, str | None] = (None, None),
             after: tuple[str | None, str | None] = (None, None), with_its: bool = True,
             source: str | None = None) -> Evaluation:
    """``source``: a partner incident source as the outcome (its records by LSOA, every
    category), instead of police.uk's crime types."""
    crime_types = list(dict.fromkeys(crime_types)) if crime_types else None
    for slug in crime_types or []:
        if slug not in CRIME_TYPES_BY_SLUG:
            raise EvaluationError("crime_type", f"unknown crime type {slug[:40]!r}")
    if source is not None and source not in PARTNER_SOURCES:
        raise EvaluationError("source", f"{source[:40]!r} is not one of {', '.join(PARTNER_SOURCES)}")
    if source is not None and crime_types:
        raise EvaluationError("crime_type", "crime types are police.uk's: give a source or crime types, not both")
    before = check_period("before", *before)
    after = check_period("after", *after)
    if before[1] >= after[0]:
        raise EvaluationError("after_from", f"the after period must start after the before period ends ({before[1]})")
    places = resolve_places(engine, target, control, buffer)
    # The months every force the places lie in has loaded (a month one force lacks is missing
    # for the comparison, whatever the other has), or the partner source's months.
    loaded = (months_loaded_for_places(engine, [c for s in places.values() for c in s.codes]) if source is None
              else [m for m, _ in source_months(engine, source)])
    needed = periods.months_between(*before) + periods.months_between(*after)
    missing = sorted(set(needed) - set(loaded))
    if missing:
        span = f"{loaded[0]} to {loaded[-1]}" if loaded else "none"
        field = "before_from" if missing[0] < after[0] else "after_to"
        raise EvaluationError(field, f"the periods run outside the data: {len(missing)} months not loaded "
                                     f"({missing[0]}{' ...' if len(missing) > 1 else ''}); months loaded: {span}")

    # Only the months of the two periods are read: the gap between them is never counted.
    monthly = monthly_counts_for_sets(engine, {role: s.codes for role, s in places.items()}, crime_types,
                                      [before, after], loaded, source)
    counts: dict[str, dict[str, int] | None] = {"buffer": None}
    for role, series in monthly.items():
        counts[role] = {
            "before": sum(n for m, n in series.items() if before[0] <= m <= before[1]),
            "after": sum(n for m, n in series.items() if after[0] <= m <= after[1]),
        }
    if counts["control"]["before"] + counts["control"]["after"] == 0:
        raise EvaluationError("control", "the control had no incidents in either period: choose a larger or busier control")
    before_months = len(periods.months_between(*before))
    after_months = len(periods.months_between(*after))
    result = weighted_displacement_difference(
        (counts["target"]["before"], counts["target"]["after"]),
        (counts["control"]["before"], counts["control"]["after"]),
        (counts["buffer"]["before"], counts["buffer"]["after"]) if counts["buffer"] else None,
        before_months=before_months, after_months=after_months,
    )
    notes = [n for s in places.values() for n in s.notes]
    if result.scale != 1:
        notes.append(f"The before period ({before_months} months) is scaled to the after period's length "
                     f"({after_months} months): before counts are multiplied by {result.scale:.3g}.")
    its, reason = (None, "not asked for")
    if with_its:
        its, reason = target_its(engine, places["target"], crime_types, after, loaded, source)
    if source is not None:
        notes.append(f"Outcome: {SOURCES_BY_SLUG[source].title}, every category, counted by the LSOA each record is "
                     "placed in; records placed only by district or not at all are in no place's counts.")
    return Evaluation(crime_types, before, after, counts, monthly, result,
                      verdict(crime_types, counts, result, source), notes, its, reason, places, source)


def target_its(engine: Engine, target: LsoaSet, crime_types: Sequence[str] | None,
               after: tuple[str, str], loaded: Sequence[str] | None = None,
               source: str | None = None) -> tuple[ItsResult | None, str | None]:
    """The interrupted time series of the target's consecutive calendar months up to the end
    of the after period: the run of loaded months with no gap, which must hold the 24 months
    before the start; otherwise None and the months not loaded, in words."""
    loaded = list(loaded if loaded is not None else loaded_force_months(engine))
    needed_first = periods.add_months(after[0], -MIN_MONTHS_BEFORE)
    missing = periods.missing_months(needed_first, after[1], loaded)
    if missing:
        return None, (f"an interrupted time series needs {MIN_MONTHS_BEFORE} consecutive months before the start and "
                      f"every month to the end ({periods.months_in_words(needed_first, after[1])}); not loaded: "
                      f"{periods.months_list_in_words(missing)}")
    # Back from the end while the months run on with no gap.
    loaded_set, first = set(loaded), needed_first
    while periods.add_months(first, -1) in loaded_set:
        first = periods.add_months(first, -1)
    series = monthly_counts_for_sets(engine, {"target": target.codes}, crime_types, [(first, after[1])],
                                     loaded, source)["target"]
    months = periods.months_between(first, after[1])
    result = interrupted_time_series(months, [series.get(m, 0) for m in months], after[0])
    if result is None:
        return None, "too few months after the start (at least 3) or too few incidents (at least 20 before and after)"
    return result, None


def _percent(before: float, after: float) -> float | None:
    return None if before == 0 else (after - before) / before * 100


# Below this many before, one incident moves a percentage by more than 10 points ("rose by
# 67%" from 3 to 5): the counts are said instead.
SMALL_BASE = 10


def _amount(value: float) -> str:
    """A count, or a scaled one to a tenth ("3", "3.5")."""
    return f"{value:,.0f}" if float(round(value, 1)).is_integer() else f"{value:,.1f}"


def _moved(before: float, after: float, where: str) -> str:
    """"fell by 31% in the target area", "rose from none to 3 in the buffer", "rose from 3
    to 5 in the target area"."""
    change = _percent(before, after)
    if change is None:
        return f"stayed at none in the {where}" if after == 0 else f"rose from none to {after:,.0f} in the {where}"
    if before < SMALL_BASE:
        if _amount(before) == _amount(after):
            return f"stayed at {_amount(after)} in the {where}"
        return f"{'fell' if after < before else 'rose'} from {_amount(before)} to {_amount(after)} in the {where}"
    if round(change) == 0:
        return f"stayed level in the {where}"
    return f"{'fell' if change < 0 else 'rose'} by {abs(change):.0f}% in the {where}"


def verdict(crime_types: Sequence[str] | None, counts: dict, result: Wdd, source: str | None = None) -> str:
    """"Robbery fell by 31% in the target area and by 5% in the control; relative to the
    control, 26 fewer robberies (95% CI 9 to 43): a significant fall.\""""
    f = result.scale
    subject = crime_subject(crime_types) if source is None else SOURCES_BY_SLUG[source].title
    noun = crime_noun(crime_types) if source is None else "records"
    target_change = _percent(f * counts["target"]["before"], counts["target"]["after"])
    control_change = _percent(f * counts["control"]["before"], counts["control"]["after"])
    first = _moved(f * counts["target"]["before"], counts["target"]["after"], "target area")
    second = _moved(f * counts["control"]["before"], counts["control"]["after"], "control")
    # "fell by 31% in the target area and by 5% in the control" when both move the same way.
    if target_change is not None and control_change is not None and round(control_change) != 0 and \
            round(target_change) != 0 and (target_change < 0) == (control_change < 0) and \
            min(f * counts["target"]["before"], f * counts["control"]["before"]) >= SMALL_BASE:
        second = f"by {abs(control_change):.0f}% in the control"
    text = f"{subject} {first} and {second}"
    if counts.get("buffer"):
        text += "; it " + _moved(f * counts["buffer"]["before"], counts["buffer"]["after"], "buffer")
    relative = "relative to the control" + (" and counting the buffer" if counts.get("buffer") else "")
    estimate = result.estimate
    lo, hi = result.ci95
    amount = round(abs(estimate))
    if lo < 0 < hi:  # the interval spans no difference
        interval = f"95% CI from {-lo:,.0f} fewer to {hi:,.0f} more"
    elif hi <= 0:
        interval = f"95% CI {-hi:,.0f} to {-lo:,.0f} fewer"
    else:
        interval = f"95% CI {lo:,.0f} to {hi:,.0f} more"
    if amount == 0:
        size = f"no difference in {noun} ({interval})"
    else:
        counted = crime_noun(crime_types, amount) if source is None else ("record" if amount == 1 else "records")
        size = f"{amount:,} {'fewer' if estimate < 0 else 'more'} {counted} ({interval})"
    significant = result.p_value is not None and result.p_value < 0.05
    if significant:
        ending = "a significant fall" if estimate < 0 else "a significant rise"
    else:
        ending = "not a significant change"
    sentence = f"{text}; {relative}, {size}: {ending}."
    control_before = f * counts["control"]["before"]
    if control_before < SMALL_BASE:
        # The control stands for the trend the target would have followed; a handful of
        # incidents cannot show one (Wheeler and Ratcliffe 2018 ask for comparable controls).
        sentence += (f" The control had only {_amount(control_before)} before, too few to show the background "
                     "trend this is measured against.")
    return sentence
