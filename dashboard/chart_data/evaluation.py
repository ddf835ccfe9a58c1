"""An evaluation of any places the reader names (``/api/v1/evaluation``): the control
suggested when asked for, the evaluation read through the reader's cache and audience, and
the record in the API's documented shape, the same shape each stored intervention has.
"""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.chart_data.incident_heatmap import check_readable
from dashboard.chart_data.interventions import evaluation_record
from dashboard.chart_data.spec import Reader
from queries.control import NoControl, suggest_control
from queries.evaluation import EvaluationError, evaluate
from queries.incident_sources import POLICE_CRIME
from queries.lsoa_sets import UnknownPlace


@dataclass(frozen=True)
class PlaceSets:
    """The LSOA or area codes an evaluation compares; ``control`` may be ``SUGGEST``."""

    target: tuple[str, ...]
    control: tuple[str, ...]
    buffer: tuple[str, ...] = ()


SUGGEST = "suggest"


def adhoc_evaluation(reader: Reader, places: PlaceSets, crime_types: tuple[str, ...] | None,
                     before: tuple[str | None, str | None], after: tuple[str | None, str | None],
                     with_its: bool, source: str | None = None) -> dict:
    """The evaluation as a JSON-ready record. Raises ``PartnerOnly`` when the outcome is a
    source the reader's audience may not see (before anything is read), and
    ``EvaluationError`` naming the parameter when the places or periods cannot be evaluated."""
    if source is not None:
        check_readable(reader.audience, (source,))
    control, method = places.control, None
    if control == (SUGGEST,):
        control, method = _suggested(reader, places, crime_types, after[0], source)
    result = reader.get(evaluate, places.target, control, places.buffer, crime_types, before, after, with_its,
                        source)
    record = evaluation_record(result)
    record["source"] = source or POLICE_CRIME
    record["control_codes"] = list(control)
    record["control_method"] = method
    return record


def _suggested(reader: Reader, places: PlaceSets, crime_types, start: str | None, source: str | None):
    if not start:
        raise EvaluationError("after_from", "required (YYYY-MM)")
    if not places.target:
        raise EvaluationError("target", "give at least one target LSOA or area code")
    if source is not None:
        raise EvaluationError("control", "a control is suggested on police.uk crime only: give one")
    try:
        suggestion = reader.get(suggest_control, places.target, places.buffer, crime_types, start)
    except NoControl as exc:
        raise EvaluationError("control", f"no control could be suggested: {exc}") from None
    except UnknownPlace as exc:  # named as the evaluation itself names it
        raise EvaluationError("target" if exc.code in places.target else "buffer", str(exc)) from None
    return tuple(suggestion.codes), suggestion.method
