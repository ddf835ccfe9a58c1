"""Each page's rendering against the queries: the plotted values, tables, CSV and words."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from scipy.stats import binomtest, chi2
from sqlalchemy import func, select

from app import create_app
from dashboard.chart_data.filters import COUNT, Filters
from dashboard.chart_data.spec import Reader
from dashboard.pages import PAGES_BY_PATH, asb, crime, domestic_abuse, exploitation, overview, repeat
from queries import periods
from queries.counts import counts
from queries.reference import ASB, COMPARISON_AREAS, CRIME_TYPES, OXFORD, OXFORDSHIRE, THAMES_VALLEY
from queries.schema import incident_count

from .conftest import demo_database
from .pagetools import card, find, graph, page_callback, table_rows, texts, walk

READING = "E06000038"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return create_app({"database_url": demo_database(tmp_path_factory, "pages", "2022-01", "2024-12", 0.04)})


@pytest.fixture(autouse=True)
def app_context(app):
    with app.server.app_context():  # pages may read the app's config (the hotspot map's tiles)
        yield


@pytest.fixture(scope="module")
def cache(app):
    return app.server.extensions["query_cache"]


@pytest.fixture(scope="module")
def engine(app):
    return app.server.extensions["engine"]


def render(page, cache, filters: Filters):
    return page.render(Reader(cache), filters, filters.to_query(page.defaults))


def test_crime_trend_plots_the_query_values(cache, engine):
    filters = Filters(areas=(OXFORD, READING), crime_types=("burglary",), grain=periods.QUARTER, measure=COUNT,
                      start="2023-01", end="2024-12")
    tree = render(crime.PAGE, cache, filters)
    figure = graph(tree, "crime-trend").figure
    assert [trace.name for trace in figure.data] == ["Oxford", "Reading"]  # the chosen order
    expected = counts(engine, [OXFORD], ["burglary"], "2023-01", "2024-12", periods.QUARTER)
    assert expected["period"].tolist() == [f"{y}-Q{q}" for y in (2023, 2024) for q in (1, 2, 3, 4)]
    spans = ("January to March", "April to June", "July to September", "October to December")
    assert list(figure.data[0].x) == [f"{s} {y}" for y in (2023, 2024) for s in spans]  # quarters in words
    assert list(figure.data[0].y) == expected["count"].astype(float).tolist()


def test_partial_quarters_are_gaps_in_their_place(cache):
    filters = Filters(areas=(OXFORD,), grain=periods.QUARTER, start="2023-02", end="2024-11")
    figure = graph(render(crime.PAGE, cache, filters), "crime-trend").figure
    spans = ("January to March", "April to June", "July to September", "October to December")
    assert list(figure.data[0].x) == [f"{s} {y}" for y in (2023, 2024) for s in spans]
    # The first and last quarters hold two of their three months: no point, not a partial total.
    assert figure.data[0].y[0] is None and figure.data[0].y[-1] is None
    assert all(y is not None for y in figure.data[0].y[1:-1])


def test_rates_are_counts_per_1000_residents(cache, engine):
    filters = Filters(areas=(OXFORDSHIRE,), start="2024-01", end="2024-03")
    figure = graph(render(crime.PAGE, cache, filters), "crime-trend").figure
    expected = counts(engine, [OXFORDSHIRE], None, "2024-01", "2024-03")
    # 2024 is nearest the mid-2022 estimate (the sum of its LSOAs: 738,276).
    assert list(figure.data[0].y) == [round(c / 738276 * 1000, 2) for c in expected["count"]]


def test_the_table_alternative_shows_the_plotted_values(cache):
    filters = Filters(areas=COMPARISON_AREAS, start="2024-07", end="2024-12", measure=COUNT)
    tree = render(crime.PAGE, cache, filters)
    figure = graph(tree, "crime-trend").figure
    rows = table_rows(card(tree, "crime-trend"))
    # The table names each month in words ("July 2024") where the CSV also keeps "2024-07".
    plotted = {(trace.name, periods.month_in_words(x[:7])): y for trace in figure.data for x, y in zip(trace.x, trace.y)}
    tabled = {(r[2], r[0]): float(r[3].replace(",", "")) for r in rows}
    assert tabled == plotted
    assert "July 2024" in {r[0] for r in rows}


def test_csv_download_matches_the_chart_and_the_api(app, cache):
    client = app.server.test_client()
    query = "?area=E07000178&area=E23000029&from=2024-01&to=2024-06&measure=count"
    rows = list(csv.DictReader(io.StringIO(client.get(f"/download/crime-trend.csv{query}").get_data(as_text=True))))
    api = client.get("/api/v1/counts?area=E07000178&area=E23000029&from=2024-01&to=2024-06").get_json()["rows"]
    # A district's rows match the API's; the force's chart counts its located incidents only
    # (as its districts do), the API every row, so the chart's is at most the API's.
    oxford = [r for r in rows if r["Area code"] == OXFORD]
    api_oxford = [r for r in api if r["area"] == OXFORD]
    assert [(r["Period"], int(r["Crimes"])) for r in oxford] == [(r["period"], r["count"]) for r in api_oxford]
    assert [float(r["Rate per 1,000"]) for r in oxford] == pytest.approx([r["rate_per_1000"] for r in api_oxford], abs=5e-4)
    force = {r["Period"]: int(r["Crimes"]) for r in rows if r["Area code"] == THAMES_VALLEY}
    assert force and all(force[r["period"]] <= r["count"] for r in api if r["area"] == THAMES_VALLEY)
    assert client.get("/download/no-such-chart.csv").status_code == 404


def police_totals(engine, area: str, first: str, last: str, by_crime_type: bool = False) -> dict[str, int]:
    """Sums of the stored monthly counts, read straight from the table (not through the queries)."""
    total = func.sum(incident_count.c.count)
    where = (incident_count.c.area_code == area, incident_count.c.month.between(first, last))
    with engine.connect() as conn:
        if by_crime_type:
            rows = conn.execute(select(incident_count.c.crime_type, total).where(*where).group_by(incident_count.c.crime_type))
            return {t: int(n) for t, n in rows}
        crime = conn.execute(select(total).where(*where, incident_count.c.crime_type != ASB)).scalar()
        return {"all crime": int(crime or 0)}


def exact_test_significant(previous: int, current: int) -> bool:
    """Two periods of equal length: is the current period's share of the events unlike a coin's?"""
    return binomtest(current, previous + current, 0.5).pvalue < 0.05


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """A database holding only counts written by hand for Oxford, 2023 against 2024: burglary
    120 -> 192 (a significant rise), violence 240 -> 276 (not significant), robbery 60 -> 36
    (a significant fall), ASB 360 -> 360."""
    from queries.bootstrap import init_db
    from queries.db import make_engine

    from .helpers import seed_counts

    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('seeded') / 'seeded.sqlite'}")
    init_db(engine)
    for crime_type, before, after in (("burglary", 10, 16), ("violent-crime", 20, 23), ("robbery", 5, 3), (ASB, 30, 30)):
        seed_counts(engine, {**{f"2023-{m:02d}": before for m in range(1, 13)},
                             **{f"2024-{m:02d}": after for m in range(1, 13)}}, crime_type=crime_type)
    app = create_app({"database_url": engine.url.render_as_string(hide_password=False)})
    engine.dispose()
    return app


def render_seeded(app, page, filters: Filters):
    with app.server.app_context():  # this app's cache, not the module's demo app
        return render(page, app.server.extensions["query_cache"], filters)


def test_change_by_type_marks_significant_changes_by_the_exact_test(seeded):
    assert exact_test_significant(120, 192) and exact_test_significant(60, 36)  # p = 0.00005 and 0.018
    assert not exact_test_significant(240, 276)  # p = 0.12
    tree = render_seeded(seeded, crime.PAGE, Filters(areas=(OXFORD,), end="2024-12"))
    figure = graph(tree, "crime-change-by-type").figure
    changed = [i for i, x in enumerate(figure.data[0].x) if x == x]  # types with none in either year: no bar
    bars = {figure.data[0].y[i]: figure.data[0].x[i] for i in changed}
    labels = {figure.data[0].y[i]: figure.data[0].text[i] for i in changed}
    assert bars == {"Burglary": 60.0, "Violence and sexual offences": 15.0, "Robbery": -40.0}
    assert labels == {"Burglary": "+60% (significant)", "Violence and sexual offences": "+15%",
                      "Robbery": "-40% (significant)"}
    # Thirteen crime types are compared (those with none in either year too); two changed significantly.
    assert summary_text(find(tree, "crime-change-by-type-summary")) == (
        "In Oxford, 2 of 13 crime types changed significantly. The largest significant rise was in burglary (+60%). "
        "The largest significant fall was in robbery (-40%).")


def summary_text(paragraph) -> str:
    """A chart summary's text: its headline and the rest, as one paragraph shows them."""
    return "".join(c if isinstance(c, str) else c.children for c in paragraph.children)


def test_overview_says_whether_the_change_is_significant(seeded):
    # All crime in Oxford: 420 -> 504, +20%, p = 0.006; ASB 360 -> 360.
    assert exact_test_significant(420, 504)
    tree = render_seeded(seeded, overview.PAGE, Filters(areas=(OXFORD,), end="2024-12"))
    summary = find(tree, "overview-summary").children
    assert summary[0].startswith("Recorded crime in Oxford rose 20% (significant) in the 12 months to December 2024")
    assert "Anti-social behaviour in Oxford was unchanged (not significant)" in summary[2]
    assert "504" in texts(tree) and "420 in the 12 months before" in texts(tree)
    # The rate and its exact Poisson interval (Garwood, from SciPy's chi-squared quantiles) to
    # two decimals below 10 per 1,000, so the interval's bounds are told apart.
    shown = re.search(r"([\d.]+) per 1,000 residents \(95% CI ([\d.]+) to ([\d.]+)\)", texts(tree))
    assert all(re.fullmatch(r"\d+\.\d\d", x) for x in shown.groups()), shown.group(0)
    value, low, high = (float(x) for x in shown.groups())
    population = 504 * 1000 / value
    assert low == pytest.approx(chi2.ppf(0.025, 2 * 504) / 2 / population * 1000, abs=0.011)
    assert high == pytest.approx(chi2.ppf(0.975, 2 * 505) / 2 / population * 1000, abs=0.011)
    assert low < value < high


def test_change_by_type_on_the_demo_data_follows_the_stored_counts(cache, engine):
    filters = Filters(areas=(THAMES_VALLEY,), end="2024-12")
    figure = graph(render(crime.PAGE, cache, filters), "crime-change-by-type").figure
    before = police_totals(engine, THAMES_VALLEY, "2023-01", "2023-12", by_crime_type=True)
    after = police_totals(engine, THAMES_VALLEY, "2024-01", "2024-12", by_crime_type=True)
    names = {c.slug: c.name for c in CRIME_TYPES}
    expected = {names[t]: ((after[t] - before[t]) / before[t] * 100,
                           quasi_poisson_significant(engine, THAMES_VALLEY, before[t], after[t], "2024-12", t))
                for t in before if t != ASB}
    bars = dict(zip(figure.data[0].y, figure.data[0].x))
    labels = dict(zip(figure.data[0].y, figure.data[0].text))
    assert set(bars) == set(expected)
    for name, (percent, significant) in expected.items():
        assert bars[name] == round(percent, 1), name
        # The label rounds the bar's one-decimal value to a whole number.
        assert abs(float(labels[name].split("%")[0]) - round(percent, 1)) <= 0.5, labels[name]
        assert labels[name].endswith("(significant)") == significant, name


def quasi_poisson_significant(engine, area: str, before: int, after: int, end: str, crime_type: str | None = None) -> bool:
    """The change tested allowing for overdispersion, computed here: the Pearson dispersion of a
    statsmodels Poisson GLM of the 36 monthly counts to ``end`` on a trend and the month of the
    year, then log(after / before) over sqrt(phi (1/before + 1/after)) against t."""
    import numpy as np
    import pandas as pd
    import statsmodels.api as sm
    import statsmodels.formula.api as smf
    from scipy.stats import t

    months = periods.months_between(periods.add_months(end, -35), end)
    y = [police_totals(engine, area, m, m)["all crime"] if crime_type is None
         else police_totals(engine, area, m, m, by_crime_type=True).get(crime_type, 0) for m in months]
    frame = pd.DataFrame({"y": y, "t": range(len(months)), "moy": [m[5:] for m in months]})
    fit = smf.glm("y ~ t + C(moy)", data=frame, family=sm.families.Poisson()).fit()
    phi = fit.pearson_chi2 / fit.df_resid
    if phi <= 1:
        return exact_test_significant(before, after)
    if before == 0 or after == 0:
        return binomtest(round(after / phi), round(after / phi) + round(before / phi), 0.5).pvalue < 0.05
    z = np.log(after / before) / np.sqrt(phi * (1 / after + 1 / before))
    return 2 * t.sf(abs(z), fit.df_resid) < 0.05


def test_overview_cards_and_sentences_follow_the_stored_counts(cache, engine):
    tree = render(overview.PAGE, cache, Filters(end="2024-12"))
    before = police_totals(engine, OXFORD, "2023-01", "2023-12")["all crime"]
    after = police_totals(engine, OXFORD, "2024-01", "2024-12")["all crime"]
    percent = (after - before) / before * 100
    significant = quasi_poisson_significant(engine, OXFORD, before, after, "2024-12")
    verdict = ("a statistically significant " + ("rise" if percent > 0 else "fall")
               if significant else "not a significant change")
    text = texts(tree)
    assert f"{after:,}" in text and f"{before:,} in the 12 months before" in text
    summary = find(tree, "overview-summary").children[0]
    if round(abs(percent)) < 1:
        assert summary.startswith("Recorded crime in Oxford was unchanged")
    else:
        assert summary.startswith(f"Recorded crime in Oxford {'rose' if percent > 0 else 'fell'} {abs(round(percent))}%")
    assert ("(significant)" if significant else "(not significant)") in summary
    assert verdict in text  # the card's verdict


def test_asb_pages_use_asb_only(cache, engine):
    filters = Filters(areas=(OXFORD,), start="2024-01", end="2024-12", measure=COUNT)
    figure = graph(render(asb.PAGE, cache, filters), "asb-trend").figure
    expected = counts(engine, [OXFORD], [ASB], "2024-01", "2024-12")
    line = next(t for t in figure.data if t.name == "Oxford")
    assert list(line.y) == expected["count"].astype(float).tolist()


def test_published_series_charts_and_missing_areas(cache):
    tree = render(domestic_abuse.PAGE, cache, Filters(measure=COUNT))
    figure = graph(tree, "da-offences").figure
    assert [t.name for t in figure.data] == ["Oxford", "Oxfordshire"]
    assert list(figure.data[0].y) == [1894, 1896, 1858, 1917, 1768]
    assert "No figures for Thames Valley in the published table" in texts(tree)
    assert "1,768 offences in 2021, down 8%" in texts(tree)
    seasonal = graph(tree, "da-children").figure
    assert [t.name for t in seasonal.data] == ["2018/19", "2019/20", "2020/21", "2021/22"]
    assert list(seasonal.data[3].y) == [400, 428, 375]
    # Table 5 by hand: July to September averages (414 + 385 + 440 + 428) / 4 = 416.75, the most;
    # October to December (381 + 373 + 359 + 375) / 4 = 372 just under January to March's
    # (353 + 370 + 395) / 3 = 372.7. Quarters keep their months' capitals mid-sentence.
    assert ("Across the years shown, July to September has the most occurrences on average and "
            "October to December the fewest.") in texts(tree)


def test_rates_with_confidence_intervals(cache):
    tree = render(exploitation.PAGE, cache, Filters())
    figure = graph(tree, "modern-slavery").figure
    oxford = figure.data[0]
    assert oxford.y[0] == pytest.approx(73 / 151584 * 1000, abs=1e-3)
    assert oxford.error_y.array[0] > 0 and oxford.error_y.arrayminus[0] > 0


def test_repeat_locations_page(cache, engine):
    from queries.repeat import repeat_locations

    filters = Filters(areas=(OXFORD,), end="2024-12")
    tree = render(repeat.PAGE, cache, filters)
    figure = graph(tree, "repeat-locations").figure
    expected = repeat_locations(engine, [OXFORD], None, "2024-10", "2024-12")
    together = expected[expected["crime_type"] == "all selected"].iloc[0]
    bars = dict(zip(figure.data[0].y, figure.data[0].x))
    assert bars["All selected crime"] == round(float(together["repeat_share"]) * 100, 1)
    assert "anonymised map points" in texts(tree)


NO_AREAS, FUTURE, SLOUGH = Filters(areas=()), Filters(start="2030-01", end="2030-12"), Filters(areas=("E06000039",))
EMPTY_SELECTIONS = [
    ("/", NO_AREAS, ["Choose at least one area in the filters."]),
    ("/", FUTURE, ["Recorded crime: no month of the 12 months to December 2030 is loaded, so no change is stated.",
                   "Fewer than 12 consecutive months are loaded for this period, so there is no rolling 12-month figure."]),
    ("/crime", NO_AREAS, ["Choose at least one area in the filters."]),
    ("/crime", FUTURE, ["No police.uk data is loaded for this period.",
                        "The 24 months needed for this comparison are not all loaded."]),
    ("/asb", NO_AREAS, ["Choose at least one area in the filters."]),
    ("/asb", FUTURE, ["No police.uk data is loaded for this period."]),
    ("/domestic-abuse", FUTURE, ["No figures for Thames Valley in the published table."]),
    ("/domestic-abuse", SLOUGH, ["This published table covers Oxford and Oxfordshire; choose one of them."]),
    # Each exploitation table says which areas it covers, read from the data.
    ("/exploitation", SLOUGH, ["This published table covers Oxford, Oxfordshire and Thames Valley; choose one of them."]),
    ("/hotspots", FUTURE, ["No incidents of these types were recorded here in this period."]),
    ("/repeat-victimisation", FUTURE, ["No figures for Oxfordshire and Thames Valley in the published rates."]),
    ("/repeat-victimisation", SLOUGH, ["No repeat-victimisation rates are published or loaded for the chosen areas."]),
    ("/interventions", NO_AREAS, ["No interventions are recorded yet."]),
    ("/targets", FUTURE, ["Reduce robbery by 5% (Oxford): waiting for data: the baseline, 2011/12, is not all loaded."]),
    # No filters: with one force loaded, Oxford's own peers are in forces not loaded.
    ("/peers", NO_AREAS, ["None of its peers has every month of the window loaded, so there is nothing to compare it with.",
                          "Cambridge, Lincoln, Exeter", "(no police.uk months loaded for the force)",
                          "The ONS Crime Severity Score is not imported."]),
]


def test_every_page_has_an_empty_selection_case():
    assert {path for path, _, _ in EMPTY_SELECTIONS} == set(PAGES_BY_PATH)


@pytest.mark.parametrize("path, filters, messages", EMPTY_SELECTIONS)
def test_empty_selections_say_why_there_is_nothing_to_show(cache, path, filters, messages):
    page = PAGES_BY_PATH[path]
    text = texts(page.render(Reader(cache), filters, filters.to_query(page.defaults)))
    for message in messages:
        assert message in text


def test_page_callback_over_http(app):
    client = app.server.test_client()
    response = page_callback(client, "/crime", "?area=E07000178&grain=calendar_year")
    assert response.status_code == 200
    outputs = response.get_json()["response"]
    body = json.dumps(outputs["page-content"])
    assert "Synthetic demo data" in body and "chart-crime-trend" in body
    assert outputs["page-header"]["children"][0]["props"]["children"] == "Crime"
    # The view it drew, in canonical form: the page callback skips an address already drawn.
    assert outputs["drawn-address"]["data"] == "/crime?area=E07000178&grain=calendar_year"


def test_page_callback_skips_the_view_the_layout_arrived_with(app):
    client = app.server.test_client()
    # Dash answers a callback that changes nothing with 204 No Content.
    response = page_callback(client, "/crime", "?grain=calendar_year&area=E07000178",
                             drawn_address="/crime?area=E07000178&grain=calendar_year")
    assert response.status_code == 204
    assert page_callback(client, "/crime", "?area=E07000178", drawn_address="/crime?area=E07000178&grain=calendar_year"
                         ).status_code == 200


def test_the_layout_arrives_with_the_page_it_was_fetched_for_drawn(app):
    client = app.server.test_client()
    layout = client.get("/_dash-layout", headers={"Referer": "http://localhost/asb?area=E07000178&to=2024-06"}).get_json()
    stores = [c for c in walk(layout) if isinstance(c, dict) and c.get("props", {}).get("id") == "drawn-address"]
    assert stores[0]["props"]["data"] == "/asb?area=E07000178&to=2024-06"
    header = [c for c in walk(layout) if isinstance(c, dict) and c.get("props", {}).get("id") == "page-header"][0]
    assert header["props"]["children"][0]["props"]["children"] == "Anti-social behaviour"
    text = json.dumps(layout)
    assert "chart-asb-trend" in text and "June 2024" in text
    # The filter bar shows the address's filters: Oxford ticked, the period ending June 2024.
    assert _control_value(layout, "filter-areas") == [OXFORD] and _control_value(layout, "filter-to") == "2024-06"
    # No Referer (a proxy stripped it), or another site's: the shell alone, the callback draws the page.
    for headers in ({}, {"Referer": "http://elsewhere.example/asb"}):
        layout = client.get("/_dash-layout", headers=headers).get_json()
        assert "chart-asb-trend" not in json.dumps(layout)


def _control_value(layout, control_id):
    found = [c for c in walk(layout) if isinstance(c, dict) and c.get("props", {}).get("id") == control_id]
    return found[0]["props"]["value"]


def test_filter_sync_callback_writes_the_url(app):
    client = app.server.test_client()
    controls = {"filter-areas": ["E07000178"], "filter-areas-more": ["E06000038"], "filter-crime-types": ["burglary"],
                "filter-from": "default", "filter-to": "2024-06", "filter-grain": "quarter", "filter-measure": "count",
                "filter-area": "E07000178", "filter-baseline": "12", "filter-level": "location"}
    outputs = ["url.search", *[f"{c}.value" for c in controls], "filter-crime-types-summary.children",
               "filter-areas-more-details.open"]
    payload = {
        "output": ".." + "...".join(outputs) + "..",
        "outputs": [{"id": "url", "property": "search"}]
                   + [{"id": k, "property": "value"} for k in controls]
                   + [{"id": "filter-crime-types-summary", "property": "children"},
                      {"id": "filter-areas-more-details", "property": "open"}],
        "inputs": [{"id": "url", "property": "search", "value": ""}]
                  + [{"id": k, "property": "value", "value": v} for k, v in controls.items()],
        "state": [{"id": "url", "property": "pathname", "value": "/crime"}],
        "changedPropIds": ["filter-grain.value"],
    }
    response = client.post("/_dash-update-component", json=payload)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    search = response.get_json()["response"]["url"]["search"]
    assert Filters.from_query(search) == Filters(areas=(OXFORD, READING), crime_types=("burglary",), end="2024-06",
                                                 grain="quarter", measure=COUNT)


def test_overview_table_names_each_12_months_by_its_last_month_in_words(cache, engine):
    tree = render(overview.PAGE, cache, Filters(areas=(OXFORD,), start="2024-10", end="2024-12"))
    rows = table_rows(card(tree, "overview-trend"))
    expected = counts(engine, [OXFORD], None, "2024-10", "2024-12", periods.ROLLING_12)
    assert [r[0] for r in rows] == ["October 2024", "November 2024", "December 2024"]
    assert [float(r[3].replace(",", "")) for r in rows] == expected["count"].astype(float).tolist()
