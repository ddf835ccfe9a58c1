"""Partner series from the CSV template: valid files load, every kind of error is named."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from queries.importers.errors import ImportRejected
from queries.importers.series import import_series
from queries.schema import series
from queries.series import series_catalogue, series_values

from .conftest import FIXTURES
from .helpers import snapshot

VALID = FIXTURES / "series" / "partner-series.csv"
HEADER = "series_id,title,theme,unit,area_code,period,category,value,source,source_table,sensitive,note"
ROW = "da-test,Domestic abuse test,domestic-abuse,count,E07000178,2023/24,,120,Test source,,no,"


def test_valid_partner_file_loads(engine):
    import_series(engine, VALID)
    catalogue = series_catalogue(engine).set_index("id")
    assert catalogue.loc["da-incidents-police", "kind"] == "partner"
    assert catalogue.loc["da-incidents-police", "values"] == 3
    assert bool(catalogue.loc["repeat-da-victims", "sensitive"]) is True
    values = series_values(engine, ["da-incidents-police"], area_codes=["E07000178"])
    assert values["period"].tolist() == ["2022/23", "2023/24"]
    assert values["value"].tolist() == [2210.0, 2154.0]
    assert values["period_start"].tolist() == ["2022-04", "2023-04"]


def test_reimporting_a_series_replaces_it(engine, tmp_path):
    import_series(engine, VALID)
    path = tmp_path / "update.csv"
    path.write_text(f"{HEADER}\n" + ROW.replace("da-test", "da-incidents-police").replace(
        "Domestic abuse test", "Domestic abuse incidents reported to the police"))
    import_series(engine, path)
    values = series_values(engine, ["da-incidents-police"])
    assert values["value"].tolist() == [120.0]


def test_a_partner_file_cannot_overwrite_a_published_series(engine, tmp_path):
    path = tmp_path / "clash.csv"
    path.write_text(f"{HEADER}\n" + ROW.replace("da-test", "recorded-crime"))
    with pytest.raises(ImportRejected, match="'recorded-crime' is already a published series"):
        import_series(engine, path)


BAD_ROWS = {
    "unknown area code": (ROW.replace("E07000178", "E07999999"), "row 2, field 'area_code'", "unknown area code"),
    "bad period": (ROW.replace("2023/24", "2023/25"), "row 2, field 'period'", "is not a period"),
    "non-numeric count": (ROW.replace(",120,", ",lots,"), "row 2, field 'value'", "is not a number"),
    "negative count": (ROW.replace(",120,", ",-3,"), "row 2, field 'value'", "negative"),
    "fractional count": (ROW.replace(",120,", ",12.5,"), "row 2, field 'value'", "not a whole number"),
    "percentage over 100": (ROW.replace("count", "percent").replace(",120,", ",104,"), "row 2, field 'value'", "over 100"),
    "unknown theme": (ROW.replace("domestic-abuse", "weather"), "row 2, field 'theme'", "is not one of"),
    "bad sensitive flag": (ROW.replace(",no,", ",maybe,"), "row 2, field 'sensitive'", "not yes or no"),
    "duplicate key": (f"{ROW}\n{ROW}", "row 3, field 'period'", "duplicates row 2"),
    "inconsistent series": (f"{ROW}\n{ROW.replace('2023/24', '2022/23').replace('count', 'percent')}", "row 3, field 'unit'", "differs from row 2"),
    "missing value": (ROW.replace(",120,", ",,"), "row 2, field 'value'", "is not a number"),
}


@pytest.mark.parametrize("case", sorted(BAD_ROWS))
def test_bad_rows_are_named_and_nothing_is_stored(engine, tmp_path, case):
    before = snapshot(engine)
    body, where, message = BAD_ROWS[case]
    path = tmp_path / "partner.csv"
    path.write_text(f"{HEADER}\n{body}\n")
    with pytest.raises(ImportRejected) as raised:
        import_series(engine, path)
    assert f"{path}, {where}: " in str(raised.value)
    assert message in str(raised.value)
    assert snapshot(engine) == before


def test_unknown_and_missing_columns_are_named(engine, tmp_path):
    path = tmp_path / "partner.csv"
    path.write_text("series_id,title,theme,unit,area_code,period,value,colour\nx,X,crime,count,E07000178,2023,1,red\n")
    with pytest.raises(ImportRejected) as raised:
        import_series(engine, path)
    assert "row 1, field 'colour': unknown column" in str(raised.value)
    assert "row 1, field 'source': required column is missing" in str(raised.value)


def test_many_errors_are_reported_together(engine, tmp_path):
    path = tmp_path / "partner.csv"
    rows = [ROW.replace("2023/24", f"20{n:02d}/xx") for n in range(5)]
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n")
    with pytest.raises(ImportRejected) as raised:
        import_series(engine, path)
    assert len(raised.value.errors) == 5
    with engine.connect() as conn:
        assert conn.execute(select(series.c.id).where(series.c.id == "da-test")).first() is None
