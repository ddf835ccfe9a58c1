"""Evaluating interventions: the weighted displacement difference against a hand calculation
from real data.police.uk months, the interrupted time series against statsmodels, LSOA
sets across vintages, suggested controls and every kind of bad request."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import norm

from queries.bootstrap import init_db
from queries.control import suggest_control
from queries.db import make_engine
from queries.evaluation import EvaluationError, evaluate, verdict
from queries.importers.policeuk import import_policeuk
from queries.its import interrupted_time_series
from queries.lsoa_sets import linked_codes, resolve
from queries.reference import CRIME_TYPE_SLUG_BY_NAME
from queries.wdd import weighted_displacement_difference

from .conftest import shared_file, street_rows

MONTHS = ("2022-01", "2022-02", "2022-03", "2022-04")
TARGET = ("E01028522", "E01028523")  # Oxford 2011 LSOAs unchanged in 2021 (ONS change indicator U)
CONTROL = ("E01028530", "E01028531")
BUFFER = ("E01028525",)


@pytest.fixture(scope="module")
def real_engine(tmp_path_factory):
    paths = [shared_file("policeuk", f"{m}-thames-valley-street.csv.gz") for m in MONTHS]
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('wdd') / 'real.sqlite'}")
    init_db(engine)
    import_policeuk(engine, paths)
    yield engine
    engine.dispose()


def hand_count(months, lsoas, slugs=None) -> int:
    """Rows of the raw files in these LSOAs (first of a repeated Crime ID), ASB left out."""
    total = 0
    for month in months:
        for row in street_rows(shared_file("policeuk", f"{month}-thames-valley-street.csv.gz")):
            slug = CRIME_TYPE_SLUG_BY_NAME[row["Crime type"]]
            if row["LSOA code"] in lsoas and slug != "anti-social-behaviour" and (slugs is None or slug in slugs):
                total += 1
    return total


def test_wdd_matches_a_hand_calculation_from_real_months(real_engine):
    before, after = MONTHS[:2], MONTHS[2:]
    t0, t1 = hand_count(before, TARGET), hand_count(after, TARGET)
    c0, c1 = hand_count(before, CONTROL), hand_count(after, CONTROL)
    result = evaluate(real_engine, TARGET, CONTROL, (), None, ("2022-01", "2022-02"), ("2022-03", "2022-04"))
    assert result.counts["target"] == {"before": t0, "after": t1}
    assert result.counts["control"] == {"before": c0, "after": c1}
    estimate = (t1 - t0) - (c1 - c0)
    variance = t0 + t1 + c0 + c1
    assert result.wdd.estimate == estimate
    assert result.wdd.variance == variance
    z = estimate / math.sqrt(variance)
    assert result.wdd.z == pytest.approx(z)
    assert result.wdd.p_value == pytest.approx(2 * (1 - norm.cdf(abs(z))))
    assert result.wdd.ci95 == pytest.approx((estimate - 1.959964 * math.sqrt(variance),
                                              estimate + 1.959964 * math.sqrt(variance)), abs=1e-4)


def test_wdd_with_a_buffer_and_unequal_periods_from_real_months(real_engine):
    slugs = {"burglary", "vehicle-crime", "other-theft"}
    before, after = MONTHS[:3], MONTHS[3:]
    t0, t1 = hand_count(before, TARGET, slugs), hand_count(after, TARGET, slugs)
    c0, c1 = hand_count(before, CONTROL, slugs), hand_count(after, CONTROL, slugs)
    d0, d1 = hand_count(before, BUFFER, slugs), hand_count(after, BUFFER, slugs)
    result = evaluate(real_engine, TARGET, CONTROL, BUFFER, sorted(slugs), ("2022-01", "2022-03"), ("2022-04", "2022-04"))
    f = 1 / 3  # the three before months scaled to the one after month
    # The one control serves target and buffer: its change counts twice, its variance four times.
    estimate = (t1 - f * t0) - (c1 - f * c0) + (d1 - f * d0) - (c1 - f * c0)
    variance = t1 + f**2 * t0 + d1 + f**2 * d0 + 4 * (c1 + f**2 * c0)
    assert result.wdd.scale == pytest.approx(f)
    assert result.wdd.estimate == pytest.approx(estimate)
    assert result.wdd.variance == pytest.approx(variance)
    assert any("scaled to the after period" in note for note in result.notes)


def test_wdd_with_a_separate_buffer_control_is_the_published_sum():
    # Wheeler & Ratcliffe's formula: variance = the sum of the eight counts.
    result = weighted_displacement_difference((50, 30), (40, 38), (20, 25), (30, 33))
    assert result.estimate == (30 - 50) - (38 - 40) + (25 - 20) - (33 - 30)
    assert result.variance == 50 + 30 + 40 + 38 + 20 + 25 + 30 + 33


def test_verdict_reads_like_the_issue_example():
    wdd = weighted_displacement_difference((1000, 690), (1000, 950))
    text = verdict(["robbery"], {"target": {"before": 1000, "after": 690}, "control": {"before": 1000, "after": 950},
                                 "buffer": None}, wdd)
    half = 1.959964 * math.sqrt(1000 + 690 + 1000 + 950)  # 118.25
    assert text == (f"Robbery fell by 31% in the target area and by 5% in the control; relative to the control, "
                    f"260 fewer robberies (95% CI {260 - half:.0f} to {260 + half:.0f} fewer): a significant fall.")
    # Under 10 before, the counts: from 3 to 5 is "rose by 67%", which one incident less makes 33%.
    tiny = weighted_displacement_difference((3, 5), (1, 1))
    assert verdict(["possession-of-weapons"], {"target": {"before": 3, "after": 5},
                                               "control": {"before": 1, "after": 1}, "buffer": None}, tiny).startswith(
        "Possession of weapons rose from 3 to 5 in the target area and stayed at 1 in the control; ")
    both = weighted_displacement_difference((8, 4), (9, 6))
    assert verdict(None, {"target": {"before": 8, "after": 4}, "control": {"before": 9, "after": 6},
                          "buffer": None}, both).startswith(
        "All crime fell from 8 to 4 in the target area and fell from 9 to 6 in the control; ")
    small = weighted_displacement_difference((10, 8), (10, 10))
    assert "not a significant change" in verdict(None, {"target": {"before": 10, "after": 8},
                                                        "control": {"before": 10, "after": 10}, "buffer": None}, small)
    # A control of fewer than 10 before cannot show the background trend: the verdict says so.
    caveat = " before, too few to show the background trend this is measured against."
    assert verdict(["possession-of-weapons"], {"target": {"before": 3, "after": 5},
                                               "control": {"before": 1, "after": 1}, "buffer": None}, tiny).endswith(
        ": not a significant change. The control had only 1" + caveat)
    assert verdict(None, {"target": {"before": 8, "after": 4}, "control": {"before": 9, "after": 6},
                          "buffer": None}, both).endswith("The control had only 9" + caveat)
    assert caveat not in verdict(None, {"target": {"before": 10, "after": 8}, "control": {"before": 10, "after": 10},
                                        "buffer": None}, small)
    # Scaled to the after period's length: 6 months before against 3 after, 15 before counts as 7.5.
    scaled = weighted_displacement_difference((40, 15), (15, 6), before_months=6, after_months=3)
    assert verdict(None, {"target": {"before": 40, "after": 15}, "control": {"before": 15, "after": 6},
                          "buffer": None}, scaled).endswith("The control had only 7.5" + caveat)


def test_lsoa_codes_of_either_vintage_cover_the_same_ground(real_engine):
    # E01028533 (Oxford, 2011) was split in 2021: asking for it, or for one of its halves,
    # gives all three codes, so 2022 (2011 codes) and 2024 (2021 codes) count the same ground.
    component = linked_codes("E01028533")
    assert component == {"E01028533", "E01035743", "E01035744"}
    assert resolve(real_engine, ["E01035743"]).codes == frozenset(component)
    assert resolve(real_engine, ["E01028533"]).notes


def _its_frame(months, start):
    """The segmented regression's columns built here, independently of ``design_matrix``:
    time from the first month, the step at the start, months since the start, and sine and
    cosine pairs of period 12 and 6 months for the month of the year."""
    import pandas as pd

    from queries import periods

    t = np.arange(len(months), dtype=float)
    after = np.array([m >= start for m in months], dtype=float)
    since = np.where(after == 1, [periods.month_index(m) - periods.month_index(start) for m in months], 0.0)
    month = np.array([int(m[5:]) for m in months], dtype=float)
    return pd.DataFrame({"t": t, "after": after, "since": since,
                         "s12": np.sin(2 * np.pi * month / 12), "c12": np.cos(2 * np.pi * month / 12),
                         "s6": np.sin(2 * np.pi * month / 6), "c6": np.cos(2 * np.pi * month / 6)})


ITS_FORMULA = "y ~ t + after + since + s12 + c12 + s6 + c6"


def test_its_matches_statsmodels_on_a_planted_step_change():
    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    from queries import periods

    rng = np.random.default_rng(7)
    months = periods.months_between("2018-01", "2023-12")
    start = "2021-01"
    frame = _its_frame(months, start)
    # A strong annual season (period 12) so that a design with other seasonal periods misfits.
    mean = np.exp(np.log(40) + 0.004 * frame["t"] + np.log(0.7) * frame["after"] - 0.002 * frame["since"]
                  + 0.35 * frame["s12"] - 0.25 * frame["c12"] + 0.05 * frame["s6"] + 0.02 * frame["c6"])
    frame["y"] = rng.poisson(mean)
    result = interrupted_time_series(months, list(frame["y"]), start)
    model = smf.glm(ITS_FORMULA, data=frame, family=sm.families.Poisson()).fit()
    scale = max(1.0, model.pearson_chi2 / model.df_resid)
    assert np.allclose(result.coefficients, model.params.to_numpy(), rtol=1e-6, atol=1e-9)
    assert np.allclose(result.standard_errors, model.bse.to_numpy() * math.sqrt(scale), rtol=1e-5)
    assert result.dispersion == pytest.approx(model.pearson_chi2 / model.df_resid, rel=1e-6)
    assert result.level.ratio == pytest.approx(math.exp(model.params["after"]), rel=1e-6)
    assert result.level.ci95[0] < 0.7 < result.level.ci95[1]  # the planted 30% fall is recovered
    assert result.level.p_value < 0.001
    assert result.months_before == 36 and result.months_after == 36


def test_its_on_overdispersed_counts_matches_quasi_poisson():
    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    from queries import periods

    rng = np.random.default_rng(11)
    months = periods.months_between("2019-01", "2023-06")
    frame = _its_frame(months, "2021-07")
    mean = np.exp(np.log(30) + np.log(1.3) * frame["after"] + 0.3 * frame["s12"] + 0.2 * frame["c12"])
    frame["y"] = rng.negative_binomial(5, 5 / (5 + mean))  # variance well above the mean
    result = interrupted_time_series(months, list(frame["y"]), "2021-07")
    model = smf.glm(ITS_FORMULA, data=frame, family=sm.families.Poisson()).fit(scale="X2")
    assert result.dispersion > 1
    assert np.allclose(result.coefficients, model.params.to_numpy(), rtol=1e-6, atol=1e-9)
    assert np.allclose(result.standard_errors, model.bse.to_numpy(), rtol=1e-5)


def test_its_runs_only_on_consecutive_calendar_months():
    from queries import periods

    months = periods.months_between("2019-01", "2023-06")
    holed = [m for m in months if m != "2020-05"]
    assert interrupted_time_series(holed, [30] * len(holed), "2021-07") is None


def test_its_needs_24_months_before():
    from queries import periods

    months = periods.months_between("2022-01", "2024-06")
    assert interrupted_time_series(months, [5] * len(months), "2023-06") is None


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"target": ()}, "target", "at least one target"),
        ({"control": ()}, "control", "control"),
        ({"control": TARGET[:1]}, "control", "overlaps the target"),
        ({"buffer": CONTROL[:1]}, "buffer", "overlaps the control"),
        ({"before": ("2021-01", "2021-02")}, "before_from", "outside the data"),
        ({"after": ("2022-03", "2022-09")}, "after_to", "outside the data"),
        ({"after": ("2022-02", "2022-04")}, "after_from", "must start after"),
        ({"before": ("2022-1", "2022-02")}, "before_from", "is not a month"),
        ({"target": ("E01999999",)}, "target", "neither an LSOA code"),
        ({"target": ("'; DROP TABLE incident; --",)}, "target", "neither an LSOA code"),
        ({"crime_types": ["nope"]}, "crime_type", "unknown crime type"),
        ({"control": ("E01028512",), "crime_types": ["possession-of-weapons"]},
         "control", "no incidents"),
    ],
)
def test_bad_requests_name_the_field(real_engine, kwargs, field, message):
    request = {"target": TARGET, "control": CONTROL, "buffer": (), "crime_types": None,
               "before": ("2022-01", "2022-02"), "after": ("2022-03", "2022-04")} | kwargs
    with pytest.raises(EvaluationError) as raised:
        evaluate(real_engine, request["target"], request["control"], request["buffer"], request["crime_types"],
                 request["before"], request["after"])
    assert raised.value.field == field and message in raised.value.message


def test_suggested_control_is_near_similar_and_apart_from_the_target(real_engine):
    suggestion = suggest_control(real_engine, TARGET, BUFFER, None, "2022-04")
    chosen = set(suggestion.codes)
    assert chosen and not chosen & (set(TARGET) | set(BUFFER))
    assert suggestion.furthest_km < 5
    assert "nearest" in suggestion.method and "trend" in suggestion.method
    # Its pre-period level is measured, not assumed: recount it from the raw files.
    months = ("2022-01", "2022-02", "2022-03")
    assert suggestion.control_level == pytest.approx(hand_count(months, chosen) / 3)
    assert suggestion.target_level == pytest.approx(hand_count(months, set(TARGET)) / 3)


def test_a_whole_district_is_not_said_to_have_no_lsoas_near_it(real_engine):
    """Oxford's every LSOA as the target: Cherwell's are next to it, but controls are looked
    for in the target's own district, where none is left."""
    from queries.control import NoControl

    with pytest.raises(NoControl) as raised:
        suggest_control(real_engine, ("E07000178",), (), None, "2022-04")
    assert str(raised.value) == ("the target and buffer take every LSOA of their district, where a control is looked "
                                 "for: name a control")


def test_sets_read_in_several_chunks_sum_to_the_raw_files(real_engine, monkeypatch):
    """A set longer than one statement's list of codes is summed over every chunk, per month."""
    import queries.lsoa_sets as lsoa_sets

    monkeypatch.setattr(lsoa_sets, "CHUNK", 3)
    codes = TARGET + CONTROL + BUFFER
    spans = [("2022-01", "2022-01"), ("2022-03", "2022-04")]
    found = lsoa_sets.monthly_counts_for_sets(real_engine, {"all": codes, "target": TARGET}, None, spans)
    for month in ("2022-01", "2022-03", "2022-04"):
        assert found["all"][month] == hand_count([month], set(codes))
        assert found["target"][month] == hand_count([month], set(TARGET))
    assert "2022-02" not in found["all"]  # the gap between the spans is never read
    whole = lsoa_sets.monthly_lsoa_counts(real_engine, codes, ["burglary"], "2022-01", "2022-04")
    assert whole == {m: hand_count([m], set(codes), {"burglary"}) for m in MONTHS}
