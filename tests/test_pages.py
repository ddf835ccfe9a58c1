"""Each page's rendering against the queries: the plotted values, tables, CSV and words."""

from __future__ import annotations

import csv
import io

import pytest

from app import create_app
from dashboard.chart_data.spec import Reader
from dashboard.filters import COUNT, Filters
from dashboard.pages import PAGES_BY_PATH, asb, crime, domestic_abuse, exploitation, overview, repeat
from queries import periods
from queries.counts import change_between, counts
from queries.reference import ASB, COMPARISON_AREAS, OXFORD, OXFORDSHIRE, THAMES_VALLEY

from .conftest import demo_database
from .pagetools import card, find, graph, table_rows, texts

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
    assert list(figure.data[0].x) == expected["period"].tolist()
    assert list(figure.data[0].y) == expected["count"].astype(float).tolist()


def test_trend_leaves_out_partial_quarters(cache):
    filters = Filters(areas=(OXFORD,), grain=periods.QUARTER, start="2023-02", end="2024-11")
    figure = graph(render(crime.PAGE, cache, filters), "crime-trend").figure
    assert list(figure.data[0].x) == [f"{y}-Q{q}" for y in (2023, 2024) for q in (1, 2, 3, 4)][1:-1]


def test_rates_are_counts_per_1000_residents(cache, engine):
    filters = Filters(areas=(OXFORDSHIRE,), start="2024-01", end="2024-03")
    figure = graph(render(crime.PAGE, cache, filters), "crime-trend").figure
    expected = counts(engine, [OXFORDSHIRE], None, "2024-01", "2024-03")
    assert list(figure.data[0].y) == [round(c / 696880 * 1000, 2) for c in expected["count"]]


def test_the_table_alternative_shows_the_plotted_values(cache):
    filters = Filters(areas=COMPARISON_AREAS, start="2024-07", end="2024-12", measure=COUNT)
    tree = render(crime.PAGE, cache, filters)
    figure = graph(tree, "crime-trend").figure
    rows = table_rows(card(tree, "crime-trend"))
    plotted = {(trace.name, x[:7]): y for trace in figure.data for x, y in zip(trace.x, trace.y)}
    tabled = {(r[2], r[0]): float(r[3].replace(",", "")) for r in rows}
    assert tabled == plotted


def test_csv_download_matches_the_chart_and_the_api(app, cache):
    client = app.server.test_client()
    query = "?area=E07000178&area=E23000029&from=2024-01&to=2024-06&measure=count"
    rows = list(csv.DictReader(io.StringIO(client.get(f"/download/crime-trend.csv{query}").get_data(as_text=True))))
    api = client.get("/api/v1/counts?area=E07000178&area=E23000029&from=2024-01&to=2024-06").get_json()["rows"]
    assert [(r["Period"], r["Area code"], int(r["Crimes"])) for r in rows] == [(r["period"], r["area"], r["count"]) for r in api]
    assert [float(r["Rate per 1,000"]) for r in rows] == pytest.approx([r["rate_per_1000"] for r in api], abs=5e-4)
    assert client.get("/download/no-such-chart.csv").status_code == 404


def test_change_by_type_marks_significant_changes(cache, engine):
    filters = Filters(areas=(THAMES_VALLEY,), end="2024-12")
    tree = render(crime.PAGE, cache, filters)
    figure = graph(tree, "crime-change-by-type").figure
    expected = change_between(engine, [THAMES_VALLEY], ("2023-01", "2023-12"), ("2024-01", "2024-12"), None, True)
    expected = expected.set_index("crime_type")
    bars = dict(zip(figure.data[0].y, figure.data[0].x))
    assert bars["Burglary"] == round(float(expected.loc["burglary", "percent_change"]), 1)
    labels = dict(zip(figure.data[0].y, figure.data[0].text))
    for slug, name in (("burglary", "Burglary"), ("violent-crime", "Violence and sexual offences")):
        assert labels[name].endswith("(significant)") == bool(expected.loc[slug, "significant"])


def test_overview_cards_and_sentences_follow_the_test(cache, engine):
    tree = render(overview.PAGE, cache, Filters(end="2024-12"))
    change = change_between(engine, COMPARISON_AREAS, ("2023-01", "2023-12"), ("2024-01", "2024-12")).set_index("area_code")
    text = texts(tree)
    oxford = change.loc[OXFORD]
    assert f"{oxford['current_count']:,}" in text
    expected = "statistically significant" if oxford["significant"] else "not a significant change"
    assert f"Recorded crime in Oxford {'rose' if oxford['percent_change'] > 0 else 'fell'} {abs(round(oxford['percent_change']))}%" in text
    assert expected in find(tree, "overview-summary").children[0]


def test_asb_pages_use_asb_only(cache, engine):
    filters = Filters(areas=(OXFORD,), start="2024-01", end="2024-12", measure=COUNT)
    figure = graph(render(asb.PAGE, cache, filters), "asb-trend").figure
    expected = counts(engine, [OXFORD], [ASB], "2024-01", "2024-12")
    assert list(figure.data[0].y) == expected["count"].astype(float).tolist()


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


@pytest.mark.parametrize("path", sorted(PAGES_BY_PATH))
def test_every_page_renders_honest_messages_for_empty_selections(cache, path):
    page = PAGES_BY_PATH[path]
    for filters in (Filters(areas=()), Filters(start="2030-01", end="2030-12"), Filters(areas=("E06000039",))):
        tree = render(page, cache, filters)
        assert tree, (path, filters)
        assert texts(tree)  # something to read, never a blank


def test_page_content_callback_over_http(app):
    client = app.server.test_client()
    payload = {
        "output": "crime-content.children",
        "outputs": {"id": "crime-content", "property": "children"},
        "inputs": [{"id": "url", "property": "search", "value": "?area=E07000178&grain=calendar_year"}],
        "changedPropIds": ["url.search"],
    }
    response = client.post("/_dash-update-component", json=payload)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Synthetic demo data" in body and "chart-crime-trend" in body


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
