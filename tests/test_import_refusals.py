"""Files the police.uk importer refuses: repeated blocks, partial months, months out of range,
other encodings and archives that unpack past the size limit. Nothing is stored for any."""

from __future__ import annotations

import gzip
import time
import tracemalloc
import zipfile

import pytest

from app import create_app
from queries.counts import monthly_counts
from queries.importers.errors import ImportRejected
from queries.importers.policeuk import import_policeuk
from queries.reference import ASB, OXFORD
from queries.schema import incident

from .conftest import FIXTURES
from .helpers import count_rows, snapshot

JAN_2024 = FIXTURES / "policeuk" / "2024-01-thames-valley-street.csv"
HEADER, *ROWS = JAN_2024.read_text().splitlines()


def write(path, lines):
    path.write_text("\n".join(lines) + "\n")
    return path


def oxford_asb(engine):
    return int(monthly_counts(engine, [OXFORD], [ASB], "2024-01", "2024-01")["count"].sum())


def test_a_month_repeated_in_one_file_is_refused_naming_the_block(engine, tmp_path):
    before = snapshot(engine)
    path = write(tmp_path / "2024-01-thames-valley-street.csv", [HEADER, *ROWS, *ROWS, *ROWS])
    with pytest.raises(ImportRejected) as raised:
        import_policeuk(engine, [path])
    # 12 rows on lines 2-13, repeated twice on lines 14-37: one block of copies.
    assert f"{path}, row 14: rows 14 to 37 repeat rows 2 to 13" in str(raised.value)
    assert "--allow-duplicate-rows" in str(raised.value)
    assert snapshot(engine) == before


def test_a_repeated_block_is_stored_as_it_is_when_allowed(engine, tmp_path):
    path = write(tmp_path / "2024-01-thames-valley-street.csv", [HEADER, *ROWS, *ROWS, *ROWS])
    import_policeuk(engine, [path], allow_duplicate_rows=True)
    # Crime IDs still count once; Oxford's two identical ASB rows (no Crime ID) count thrice.
    assert oxford_asb(engine) == 2 * 3


def test_identical_asb_rows_alone_are_not_a_repeated_block(engine, tmp_path):
    asb = next(r for r in ROWS if "Anti-social behaviour" in r)
    path = write(tmp_path / "2024-01-thames-valley-street.csv", [HEADER, *ROWS, *[asb] * 30])
    import_policeuk(engine, [path])
    assert oxford_asb(engine) == 2 + 30


def test_a_file_that_would_replace_a_month_with_under_half_its_rows_is_refused(engine, tmp_path):
    import_policeuk(engine, [JAN_2024])  # 10 rows stored for 2024-01
    before = snapshot(engine)
    partial = write(tmp_path / "2024-01-thames-valley-street.csv", [HEADER, *ROWS[:4]])  # 4 rows would be stored
    with pytest.raises(ImportRejected) as raised:
        import_policeuk(engine, [partial])
    assert f"{partial}, field 'Month': 2024-01: 4 rows would replace the 10 stored" in str(raised.value)
    assert "--replace-partial" in str(raised.value)
    assert snapshot(engine) == before
    import_policeuk(engine, [partial], replace_partial=True)
    assert count_rows(engine, incident) == 4


def test_a_file_with_half_or_more_of_the_rows_replaces_the_month(engine, tmp_path):
    import_policeuk(engine, [JAN_2024])
    # The first six rows hold 5 to store (one is a repeated Crime ID) of the 10 stored: half is enough.
    half = write(tmp_path / "2024-01-thames-valley-street.csv", [HEADER, *ROWS[:6]])
    import_policeuk(engine, [half])
    assert count_rows(engine, incident) == 5


@pytest.mark.parametrize(("month", "message"), [
    ("2010-11", "2010-11 is before data.police.uk's first month (2010-12)"),
    ("1999-01", "1999-01 is before data.police.uk's first month (2010-12)"),
    ("2999-01", "2999-01 is after the current month"),
])
def test_months_outside_the_published_range_are_rejected_naming_row_and_field(engine, tmp_path, month, message):
    before = snapshot(engine)
    lines = [HEADER, *ROWS]
    lines[5] = lines[5].replace("2024-01", month, 1)  # line 6 of the file
    path = write(tmp_path / "2024-01-thames-valley-street.csv", lines)
    with pytest.raises(ImportRejected) as raised:
        import_policeuk(engine, [path])
    assert f"{path}, row 6, field 'Month': {message}" in str(raised.value)
    assert snapshot(engine) == before


def test_december_2010_is_accepted(engine, tmp_path):
    path = write(tmp_path / "2010-12-thames-valley-street.csv", [HEADER, *(r.replace("2024-01", "2010-12") for r in ROWS)])
    [summary] = import_policeuk(engine, [path])
    assert summary.months == ["2010-12"]


@pytest.mark.parametrize("name", ["2024-01-thames-valley-street.csv", "2024-01-thames-valley-street.csv.gz"])
def test_a_utf16_file_is_named_as_such_not_a_header_mismatch(engine, tmp_path, name):
    data = JAN_2024.read_text().encode("utf-16")
    path = tmp_path / name
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    with pytest.raises(ImportRejected) as raised:
        import_policeuk(engine, [path])
    assert f"{path}: the file is UTF-16 text, not UTF-8" in str(raised.value)
    assert "header" not in str(raised.value)


def gzip_of_zeros(path, size: int) -> None:
    """``size`` zero bytes as a gzip file of 1 MiB members (gzip readers join members), made
    without ever holding or compressing the whole."""
    member = gzip.compress(bytes(1024 * 1024), 9)
    with open(path, "wb") as handle:
        handle.writelines(member for _ in range(size // (1024 * 1024)))


def test_a_gzip_of_a_gibibyte_of_zeros_is_refused_quickly_in_little_memory(sqlite_engine, tmp_path):
    engine = sqlite_engine
    bomb = tmp_path / "2024-01-thames-valley-street.csv.gz"
    gzip_of_zeros(bomb, 1024**3)
    assert bomb.stat().st_size < 2 * 1024 * 1024
    before = snapshot(engine)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(ImportRejected) as raised:
            import_policeuk(engine, [bomb])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "not UTF-8" in str(raised.value) or "not a CSV text file" in str(raised.value)
    assert peak < 50 * 1024 * 1024, peak
    assert time.perf_counter() - started < 30  # generous: the refusal reads about 1 MB
    assert snapshot(engine) == before


@pytest.mark.parametrize("container", ["gzip", "zip"])
def test_text_that_unpacks_past_the_limit_is_refused_without_holding_it(engine, tmp_path, container):
    limit = 4 * 1024 * 1024
    text = (HEADER + "\n" + "\n".join(ROWS * 40_000) + "\n").encode()  # about 56 MB of rows
    assert len(text) > 10 * limit
    if container == "gzip":
        path = tmp_path / "2024-01-thames-valley-street.csv.gz"
        path.write_bytes(gzip.compress(text, 1))
    else:
        path = tmp_path / "download.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("2024-01/2024-01-thames-valley-street.csv", text)
    del text
    tracemalloc.start()
    try:
        with pytest.raises(ImportRejected) as raised:
            import_policeuk(engine, [path], max_bytes=limit)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "larger than 4,194,304 bytes unpacked (the IMPORT_MAX_BYTES setting)" in str(raised.value)
    assert peak < 3 * limit, peak
    assert count_rows(engine, incident) == 0


def test_the_command_takes_the_flags_and_the_size_setting(tmp_path, monkeypatch):
    monkeypatch.setenv("IMPORT_MAX_BYTES", "100")
    app = create_app({"database_url": f"sqlite:///{tmp_path / 'cli.sqlite'}"})
    assert app.server.extensions["settings"].import_max_bytes == 100
    generous = create_app({"database_url": f"sqlite:///{tmp_path / 'cli.sqlite'}", "import_max_bytes": 10**9})
    runner = generous.server.test_cli_runner()
    repeated = write(tmp_path / "2024-01-thames-valley-street.csv", [HEADER, *ROWS, *ROWS])
    refused = runner.invoke(args=["import-policeuk", str(repeated)])
    assert refused.exit_code == 1 and "rows 14 to 25 repeat rows 2 to 13" in refused.output
    allowed = runner.invoke(args=["import-policeuk", "--allow-duplicate-rows", str(repeated)])
    assert allowed.exit_code == 0, allowed.output
    (tmp_path / "part").mkdir()
    partial = write(tmp_path / "part" / "2024-01-thames-valley-street.csv", [HEADER, *ROWS[:2]])
    assert runner.invoke(args=["import-policeuk", str(partial)]).exit_code == 1
    assert runner.invoke(args=["import-policeuk", "--replace-partial", str(partial)]).exit_code == 0
    gz = tmp_path / "2024-01-thames-valley-street.csv.gz"
    gz.write_bytes(gzip.compress(JAN_2024.read_bytes()))
    too_big = app.server.test_cli_runner().invoke(args=["import-policeuk", str(gz)])
    assert too_big.exit_code == 1 and "larger than 100 bytes unpacked" in too_big.output


def asb_rows(n: int) -> list[str]:
    """n different ASB rows (no Crime ID), each at its own point in Oxford."""
    template = next(r for r in ROWS if "Anti-social behaviour" in r).split(",")
    rows = []
    for i in range(n):
        row = list(template)
        row[4] = f"-1.{2500 + i:04d}"
        rows.append(",".join(row))
    return rows


def test_a_block_of_asb_rows_pasted_twice_is_refused_naming_file_and_row(engine, tmp_path):
    # ASB rows have no Crime ID, so a month's ASB pasted twice once doubled silently.
    before = snapshot(engine)
    block = asb_rows(15)
    path = write(tmp_path / "2024-01-thames-valley-street.csv", [HEADER, *ROWS, *block, *block])
    with pytest.raises(ImportRejected) as raised:
        import_policeuk(engine, [path])
    # The block is on lines 14-28 and again on 29-43.
    assert f"{path}, row 29: rows 29 to 43 repeat rows 14 to 28, each an exact copy" in str(raised.value)
    assert snapshot(engine) == before
    import_policeuk(engine, [path], allow_duplicate_rows=True)
    assert oxford_asb(engine) == 2 + 30


def test_a_run_of_copies_of_a_few_rows_is_kept_as_data_police_uk_publishes_them(engine, tmp_path):
    # The real files hold runs of copies of at most 4 different rows (several ASB incidents at
    # one map point): 9 different rows copied in a run is still accepted; 10 is a block.
    block = asb_rows(9)
    path = write(tmp_path / "2024-01-thames-valley-street.csv", [HEADER, *ROWS, *block, *block])
    import_policeuk(engine, [path])
    assert oxford_asb(engine) == 2 + 18


PEAK_SCRIPT = """
import gzip, io, resource, sys
from queries.importers.errors import ImportRejected
from queries.importers.files import input_from_bytes
from queries.importers.policeuk_parse import read_policeuk_file
header, row = sys.argv[1].encode() + b"\\n", sys.argv[2].encode() + b"\\n"
buffer = io.BytesIO()
with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9) as packed:
    packed.write(header)
    for _ in range(201):
        packed.write(row * 10_000)
data = buffer.getvalue()
start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    read_policeuk_file(input_from_bytes("2024-01-thames-valley-street.csv.gz", data))
    print("accepted")
except ImportRejected as rejected:
    print(str(rejected).splitlines()[0])
print(len(data), start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def test_a_gzip_of_two_million_identical_asb_rows_is_refused_in_bounded_memory():
    # 2,010,000 copies of one ASB row: 1 MB packed, 270 MB unpacked. The upload's check once
    # held every row (3.7 GB); now it streams and stops at the 1,000th copy.
    import subprocess
    import sys
    from pathlib import Path

    asb = next(r for r in ROWS if "Anti-social behaviour" in r)
    done = subprocess.run([sys.executable, "-c", PEAK_SCRIPT, HEADER, asb], capture_output=True, text=True,
                          cwd=Path(__file__).parents[1], timeout=300, check=True)
    message, figures = done.stdout.strip().splitlines()
    packed, start_kb, peak_kb = (int(v) for v in figures.split())
    assert packed < 2_000_000
    assert "row 1002: this row is the same as 1,000 rows before it (first on row 2)" in message
    assert peak_kb - start_kb < 50 * 1024  # under 50 MB more than before the check (ru_maxrss is in KiB)
