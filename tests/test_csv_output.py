"""Every CSV the app writes neutralises spreadsheet formulas in text cells, not numbers."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import pandas as pd
import pytest

from app import create_app
from dashboard.documents.csv_output import frame_csv
from queries.importers.policeuk import import_policeuk
from queries.importers.series import import_series

from .conftest import FIXTURES

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?[0-9][0-9,]*(\.[0-9]+)?(e[+-]?[0-9]+)?")


def read(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_text_cells_that_start_a_formula_get_a_leading_apostrophe():
    frame = pd.DataFrame({
        "text": ["=1+2", "+1+2", "-1+2", "@SUM(A1)", "\tx", "\rx", "plain", "-8.4", "+12", "-1,234.5", "fewer than 5"],
        "number": [-8.4, 1.0, -2.0, 0.0, 3.5, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0],
    })
    rows = read(frame_csv(frame))
    assert rows[0] == ["text", "number"]
    assert [r[0] for r in rows[1:]] == ["'=1+2", "'+1+2", "'-1+2", "'@SUM(A1)", "'\tx", "'\rx", "plain",
                                        "-8.4", "+12", "-1,234.5", "fewer than 5"]
    assert [r[1] for r in rows[1:]][:3] == ["-8.4", "1.0", "-2.0"]  # numbers stay numbers


def test_headings_and_object_columns_are_neutralised_too():
    frame = pd.DataFrame({"=cmd": pd.array(["=x", None, -3], dtype=object)})
    assert read(frame_csv(frame)) == [["'=cmd"], ["'=x"], [""], ["-3"]]


HOSTILE = '=HYPERLINK("http://example.invalid","x")'


@pytest.fixture
def app(sqlite_engine, tmp_path):
    street = (FIXTURES / "policeuk" / "2024-01-thames-valley-street.csv").read_text()
    street = street.replace("On or near Riddell Place", f'"{HOSTILE.replace(chr(34), chr(34) * 2)}"')
    path = tmp_path / "2024-01-thames-valley-street.csv"
    path.write_text(street)
    import_policeuk(sqlite_engine, [path])
    series = tmp_path / "hostile.csv"
    series.write_text("series_id,title,theme,unit,area_code,period,category,value,source\n"
                      "hostile,Hostile,crime,count_change,E07000178,2023/24,@SUM(1),-8.4,+cmd|' /C calc'!A0\n")
    import_series(sqlite_engine, series, kind="published")
    return create_app({"database_url": sqlite_engine.url.render_as_string(hide_password=False)})


def cells(text: str) -> list[str]:
    return [cell for row in read(text) for cell in row]


def assert_safe(text: str) -> None:
    unsafe = [c for c in cells(text) if c.startswith(FORMULA_START) and not NUMBER.fullmatch(c)]
    assert unsafe == [], unsafe


def test_every_csv_the_app_writes_is_safe(app):
    client = app.server.test_client()
    api = client.get("/api/v1/series/hostile?format=csv").get_data(as_text=True)
    assert "'@SUM(1)" in cells(api) and "-8.4" in cells(api)
    assert "'+cmd|' /C calc'!A0" in cells(api)
    assert_safe(api)
    download = client.get("/download/series-hostile.csv").get_data(as_text=True)
    assert "'@SUM(1)" in cells(download)
    assert_safe(download)
    places = client.get("/download/hotspot-places.csv?area=E07000178&from=2024-01&to=2024-01").get_data(as_text=True)
    assert any(c.startswith("'" + HOSTILE) for c in cells(places))
    assert_safe(places)
    hotspot_api = client.get("/api/v1/hotspots?area=E07000178&to=2024-01&format=csv").get_data(as_text=True)
    assert any(c.startswith("'" + HOSTILE) for c in cells(hotspot_api))
    assert_safe(hotspot_api)
    archive = zipfile.ZipFile(io.BytesIO(client.get("/hotspots/pack.zip?area=E07000178&to=2024-01").data))
    found = False
    for name in archive.namelist():
        if name.endswith(".csv"):
            text = archive.read(name).decode()
            found = found or any(c.startswith("'" + HOSTILE) for c in cells(text))
            assert_safe(text)
    assert found
