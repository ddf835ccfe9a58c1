"""The ONS Crime Severity Score import: the table's shape as ONS publishes it (a CSV saved
from it, or the workbook), values stored exactly, errors naming row and field, nothing kept
from a refused file, and the chart that shows it."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from dashboard.chart_data import harm
from dashboard.chart_data.spec import Reader
from queries.importers.crime_severity import financial_year, import_severity
from queries.importers.errors import ImportRejected
from queries.reference import OXFORD, THAMES_VALLEY
from queries.series import series_values

from .conftest import FIXTURES

TABLE = FIXTURES / "crime_severity" / "css-by-csp.csv"


class _Cache:
    def __init__(self, engine):
        self.engine = engine

    def get(self, function, *args):
        return function(self.engine, *args)


def test_column_headings_name_financial_years():
    assert financial_year("Apr '08 to \nMar '09") == "2008/09"
    assert financial_year("Apr 2021 to Mar 2022") == "2021/22"
    assert financial_year("Year ending Mar 2022") == "2021/22"
    assert financial_year("Offence group") is None


def test_the_table_is_stored_as_a_published_series_with_its_source(sqlite_engine):
    result = import_severity(sqlite_engine, TABLE)
    # Cambridge is a district of England and Wales like the others: none is left out.
    assert result.areas == ["E06000038", "E07000008", OXFORD, THAMES_VALLEY] and result.left_out == []
    values = series_values(sqlite_engine, ("crime-severity-score",), None, None)
    oxford = values[(values["area_code"] == OXFORD) & (values["category"] == "")].sort_values("period_start")
    # The fixture's Oxford row: 14.25, 11.5, 13.75 for 2019/20 to 2021/22.
    assert list(oxford["period"]) == ["2019/20", "2020/21", "2021/22"]
    assert list(oxford["value"]) == [14.25, 11.5, 13.75]
    violence = values[(values["area_code"] == OXFORD) & (values["category"] == "Violence against the person")]
    assert list(violence["value"]) == [4.5, 4.0, 4.25]
    reading = values[values["area_code"] == "E06000038"]
    assert list(reading["period"]) == ["2019/20", "2020/21"]  # "[x]": not published, not zero
    assert set(values["source_table"]) == {"css-by-csp.csv"}
    view = harm.severity_view(Reader(_Cache(sqlite_engine)))
    assert view.summary.startswith("Oxford's Crime Severity Score was 13.75 in 2021/22, against 11.50 in 2020/21.")
    assert list(view.frame["area_name"].unique()) == ["Oxford", "Thames Valley"]


def test_the_workbook_itself_imports(sqlite_engine):
    book = Workbook()
    book.active.title = "Contents"
    sheet = book.create_sheet("Table 5")
    sheet.append(["Table 5: Crime Severity Score by Community Safety Partnership"])
    sheet.append(["Code", "Community safety partnership", "Offence group", "Apr 2020 to Mar 2021",
                  "Apr 2021 to Mar 2022"])
    sheet.append(["E22000001", "Oxford", "Total recorded crime", 11.5, 13.75])
    data = io.BytesIO()
    book.save(data)
    result = import_severity(sqlite_engine, "css.xlsx", data=data.getvalue())
    assert result.areas == [OXFORD]
    values = series_values(sqlite_engine, ("crime-severity-score",), None, None)
    assert sorted(values["value"]) == [11.5, 13.75]


def test_a_bad_cell_is_refused_naming_its_row_and_column_and_nothing_is_stored(sqlite_engine):
    text = TABLE.read_text(encoding="utf-8").replace("4.5,4.0,4.25", "4.5,four,4.25")
    with pytest.raises(ImportRejected) as refused:
        import_severity(sqlite_engine, "bad.csv", data=text.encode())
    assert "bad.csv, row 4, field 'Apr '20 to Mar '21': 'four' is not a number" in str(refused.value)
    assert series_values(sqlite_engine, ("crime-severity-score",), None, None).empty


def test_a_file_without_the_table_is_refused(sqlite_engine):
    with pytest.raises(ImportRejected, match="no header row with a code column"):
        import_severity(sqlite_engine, "other.csv", data=b"a,b\n1,2\n")


def test_the_harm_index_is_a_range_from_each_categorys_lowest_and_highest_weight(sqlite_engine):
    from dashboard.chart_data.spec import PeerSettings

    from .helpers import seed_counts

    months = [f"2024-{m:02d}" for m in range(1, 13)]
    seed_counts(sqlite_engine, {m: 10 for m in months}, OXFORD, "burglary")
    seed_counts(sqlite_engine, {m: 5 for m in months}, OXFORD, "shoplifting")
    seed_counts(sqlite_engine, {m: 2 for m in months}, OXFORD, "drugs")
    reader = Reader(_Cache(sqlite_engine), peers=PeerSettings(harm_weights_file=str(FIXTURES / "harm" / "weights.csv")))
    view = harm.harm_view(reader)
    # By hand: 120 burglaries at 100 to 300, 60 shoplifting offences at 20, over Oxford's mid-2022
    # population (163,257, the estimate nearest 2024); 24 drugs offences have no weights.
    low, high = (120 * 100 + 60 * 20) / 163257, (120 * 300 + 60 * 20) / 163257
    assert f"between {low:.2f} and {high:.2f} per resident" in view.summary
    assert "Left out, with no offences mapped: " in view.summary and "Drugs" in view.summary
    row = view.frame.set_index("crime_type").loc["Burglary"]
    assert (row["count"], row["lowest_weight"], row["highest_weight"]) == (120, 100.0, 300.0)
    from dashboard.chart_data.peers import api_frames

    estimate = api_frames(reader)["harm_estimate"]
    assert (estimate["per_resident_low"], estimate["per_resident_high"]) == (round(low, 4), round(high, 4))


def test_a_weights_file_naming_asb_or_a_bad_weight_is_refused(tmp_path):
    from queries.harm_index import HarmWeightsError, read_weights

    path = tmp_path / "w.csv"
    path.write_text("policeuk_category,ons_offence,weight\nAnti-social behaviour,Nuisance,5\n", encoding="utf-8")
    with pytest.raises(HarmWeightsError, match="w.csv: row 2: field 'policeuk_category'"):
        read_weights(path)
    path.write_text("policeuk_category,ons_offence,weight\nRobbery,Robbery of personal property,-3\n", encoding="utf-8")
    with pytest.raises(HarmWeightsError, match="w.csv: row 2: field 'weight': '-3'"):
        read_weights(path)
