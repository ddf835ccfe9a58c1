"""Which before period an intervention is compared with, what the page says when it is not
the same months a year earlier, the verdict's nouns, and the form's place search."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from queries import periods
from queries.evaluation import EvaluationError, verdict
from queries.interventions import evaluation_periods
from queries.schema import lsoa
from queries.wdd import weighted_displacement_difference

from .helpers import seed_counts
from .test_interventions import _token, app, signed_in  # noqa: F401 (app is a fixture)


def loaded(engine, *spans):
    seed_counts(engine, {m: 10 for first, last in spans for m in periods.months_between(first, last)})
    return engine


def test_the_same_months_a_year_earlier_when_loaded(sqlite_engine):
    chosen = evaluation_periods(loaded(sqlite_engine, ("2023-01", "2024-12")),
                                {"start_month": "2024-03", "end_month": "2024-05"})
    assert (chosen.before, chosen.after, chosen.note, chosen.same_season) == (
        ("2023-03", "2023-05"), ("2024-03", "2024-05"), None, True)


def test_two_years_earlier_when_a_year_earlier_is_not_loaded_and_the_note_says_so(sqlite_engine):
    chosen = evaluation_periods(loaded(sqlite_engine, ("2022-01", "2022-12"), ("2024-01", "2024-12")),
                                {"start_month": "2024-03", "end_month": "2024-05"})
    assert chosen.before == ("2022-03", "2022-05") and chosen.same_season
    assert chosen.note == ("The same months a year earlier (March to May 2023) are not all loaded, so the before "
                           "period is the same months 2 years earlier (March to May 2022): the same seasons, further back.")


def test_other_seasons_only_as_a_last_resort_and_then_said(sqlite_engine):
    chosen = evaluation_periods(loaded(sqlite_engine, ("2024-01", "2024-12")),
                                {"start_month": "2024-06", "end_month": "2024-08"})
    assert chosen.before == ("2024-03", "2024-05") and not chosen.same_season
    assert "(June to August 2023) are not all loaded" in chosen.note
    assert "the 3 months just before the start (March to May 2024): other months of the year" in chosen.note


def test_no_before_period_loaded_is_refused_naming_what_was_tried(sqlite_engine):
    engine = loaded(sqlite_engine, ("2024-05", "2024-12"))
    with pytest.raises(EvaluationError) as refused:
        evaluation_periods(engine, {"start_month": "2024-06", "end_month": "2024-08"})
    assert refused.value.field == "start_month"
    assert "June to August 2023" in refused.value.message and "March to May 2024" in refused.value.message


@pytest.mark.parametrize("after, expected_before, same_season", [
    (("2024-01", "2024-12"), ("2023-01", "2023-12"), True),  # a whole year: every season alike
    (("2023-07", "2024-12"), ("2022-01", "2023-06"), False),  # 18 months: not the same months of the year
])
def test_a_year_or_longer_is_compared_with_the_months_just_before(sqlite_engine, after, expected_before, same_season):
    chosen = evaluation_periods(loaded(sqlite_engine, ("2022-01", "2024-12")),
                                {"start_month": after[0], "end_month": after[1]})
    assert (chosen.before, chosen.same_season, chosen.note is None) == (expected_before, same_season, same_season)


@pytest.mark.parametrize("types, target, control, words", [
    (["burglary"], (10, 11), (10, 10), "1 more burglary (95% CI"),
    (["burglary"], (10, 12), (10, 10), "2 more burglaries (95% CI"),
    (["robbery"], (11, 10), (10, 10), "1 fewer robbery (95% CI"),
    (None, (11, 10), (10, 10), "1 fewer crime (95% CI"),
    (["burglary", "robbery"], (10, 11), (10, 10), "1 more offence (95% CI"),
    (["anti-social-behaviour", "robbery"], (10, 13), (10, 10), "3 more incidents (95% CI"),
])
def test_the_verdict_counts_in_the_right_number(types, target, control, words):
    # (T1 - T0) - (C1 - C0): 11 - 10 = one more; 10 - 11 = one fewer.
    result = weighted_displacement_difference(target, control)
    counts = {"target": dict(zip(("before", "after"), target)), "control": dict(zip(("before", "after"), control))}
    assert words in verdict(types, counts, result)


def test_the_form_finds_places_by_name_and_keeps_codes(app):  # noqa: F811 (the fixture)
    partner = signed_in(app, "pat")
    body = partner.get("/record/interventions").get_data(as_text=True)
    engine = app.server.extensions["engine"]
    with engine.connect() as conn:
        names = dict(conn.execute(select(lsoa.c.code, lsoa.c.name)).all())
    options = dict((code, name) for name, code in re.findall(r'<option value="([^"]+) \((E\d{8})\)">', body))
    assert {c: n for c, n in options.items() if c in names} == names  # every LSOA, by name and code
    assert options["E07000178"] == "Oxford"
    for role in ("target", "control", "buffer"):
        # A labelled search box over the list, and the codes' own field, still named as the form sends it.
        assert re.search(rf'<label[^>]+for="{role}-find">Find a place', body)
        assert f'id="{role}-find" list="place-names"' in body
        assert f'name="{role}"' in body
    assert body.count('<datalist id="place-names">') == 1
    script = partner.get("/record/place-finder.js")
    assert script.status_code == 200 and script.mimetype == "text/javascript"
    assert signed_in(app).get("/record/place-finder.js").status_code == 403
    # Codes typed by hand are still accepted.
    form = {"csrf": _token(partner), "name": "Op Codes", "start_month": "2024-01", "end_month": "2024-01",
            "target": "E01028594", "control": "E01017649"}
    assert partner.post("/record/interventions", data=form).status_code == 302
