"""CSV downloads stand on their own: a name that says what they hold, the synthetic flag,
and rates rounded to three decimals."""

from __future__ import annotations

import csv
import io
import re

import pytest

from app import create_app

from .conftest import demo_database
from .pagetools import page_payload


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    url = demo_database(tmp_path_factory, "csv", "2024-01", "2024-06", 0.04)
    return create_app({"database_url": url}).server.test_client()


def download(client, path):
    response = client.get(path)
    assert response.status_code == 200
    name = re.search(r'filename="([^"]+)"', response.headers["Content-Disposition"]).group(1)
    return name, list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_the_file_name_names_the_chart_areas_crime_types_and_period(client):
    name, _ = download(client, "/download/crime-trend.csv?area=E07000178&area=E23000029&crime_type=burglary"
                               "&from=2024-02&to=2024-05&measure=count")
    assert name == "crime-trend_oxford_thames-valley_burglary_2024-02-to-2024-05.csv"


def test_demo_rows_say_they_are_synthetic_and_rates_have_three_decimals(client):
    query = "?area=E07000178&area=E23000029&from=2024-01&to=2024-06"
    _, rows = download(client, f"/download/crime-trend.csv{query}")
    api = client.get(f"/api/v1/counts{query}").get_json()["rows"]
    assert rows and {r["Synthetic demo data"] for r in rows} == {"yes"}
    assert all(len(r["Rate per 1,000"].partition(".")[2]) <= 3 for r in rows)
    # The district's rates are the API's (the force's chart counts its located incidents only).
    assert [float(r["Rate per 1,000"]) for r in rows if r["Area code"] == "E07000178"] == [
        round(r["rate_per_1000"], 3) for r in api if r["area"] == "E07000178"]


def test_every_chart_carries_what_its_png_prints(client):
    """The figure's layout.meta holds what assets/charts.js prints around a PNG."""
    from dashboard.pages import PAGES

    for page in PAGES:
        if page.path == "/hotspots":
            continue
        body = page_payload(page.path, "?area=E07000178&area=E23000029&crime_type=burglary")
        response = client.post("/_dash-update-component", json=body)
        assert response.status_code == 200, page.path
        metas = list(_metas(response.get_json()))
        assert metas or page.path != "/crime"  # the short demo set draws no year-on-year chart
        for meta in metas:
            assert meta["title"] and meta["caption"] and meta["filename"]
            if not page.controls:  # no filter applies to the page's charts (/peers): none is printed
                assert "Crime types" not in meta["details"] and "Areas: Oxford, Thames Valley" not in meta["details"]
            elif page.shows_incidents:
                areas = meta["details"].split(". ")[0].removeprefix("Areas: ").split(", ")
                assert areas and set(areas) <= {"Oxford", "Thames Valley"}, meta["details"]
                assert "Crime types: Burglary" in meta["details"]
                assert meta["notice"].startswith("SYNTHETIC DEMO DATA")


def _metas(tree):
    if isinstance(tree, dict):
        figure = tree.get("figure") if isinstance(tree.get("figure"), dict) else None
        if figure and "meta" in figure.get("layout", {}):
            yield figure["layout"]["meta"]
        for value in tree.values():
            yield from _metas(value)
    elif isinstance(tree, list):
        for value in tree:
            yield from _metas(value)


@pytest.mark.parametrize("path, parameter", [
    ("/download/crime-trend.csv?area=XX", "area"),
    ("/download/crime-trend.csv?area=E07000178&crime_type=piracy", "crime_type"),
    ("/download/crime-trend.csv?area=E07000178&from=2024-13", "from"),
    ("/download/crime-trend.csv?area=E07000178&grain=fortnight", "grain"),
    ("/download/crime-trend.csv?area=E07000178&measure=both", "measure"),
    ("/download/hotspot-table.csv?area=E07000178&level=house", "level"),
    ("/download/hotspot-table.csv?area=E07000178&baseline_months=7", "baseline_months"),
    ("/board-report.zip?area=XX", "area"),
    ("/hotspots/pack.pdf?area=E99999999", "area"),
])
def test_a_download_with_an_unknown_filter_value_answers_400_naming_it(client, path, parameter):
    # An empty 200 would read as "no crime here" to a script or a spreadsheet.
    response = client.get(path)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert body.startswith(f"{parameter}: ") and "Traceback" not in body


def test_a_download_with_no_area_chosen_still_answers(client):
    assert client.get("/download/crime-trend.csv?area=").status_code == 200
