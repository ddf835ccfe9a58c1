"""Import data.police.uk street-level and outcomes files (checked in policeuk_parse, stored
in policeuk_store).

All files of one import are stored in one transaction: a file that fails its checks rolls
back every file before it, so stored data stays exactly as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from sqlalchemy import Engine

from ..coverage import record_archive_months
from .bookkeeping import bump_data_version
from .policeuk_parse import STREET, FileSummary, StreetFile, check_files, read_policeuk_file
from .policeuk_store import store_outcomes, store_street

ProgressCallback = Callable[[int], None]


def import_policeuk(
    engine: Engine,
    paths: Iterable[str | Path],
    *,
    imported_by: str | None = None,
    progress: ProgressCallback | None = None,
    allow_duplicate_rows: bool = False,
    replace_partial: bool = False,
    max_bytes: int | None = None,
) -> list[FileSummary]:
    """Import street and outcomes files (any mix of CSV, gzip, zip and folders).

    ``progress`` is called with 1 after each file is checked and again after it is stored.
    ``allow_duplicate_rows`` accepts a file holding a repeated block of rows;
    ``replace_partial`` lets a file replace a stored month with under half its rows;
    ``max_bytes`` caps each file's unpacked size (default 1 GiB).
    """
    paths = list(paths)
    # Classifying reads only each file's header, so street files can be stored before
    # outcomes files (outcomes must find their crimes).
    files = check_files(paths, max_bytes)
    in_storing_order = sorted(files, key=lambda item: (item[1] != STREET, item[0].base_name))
    summaries: dict[str, FileSummary] = {}
    # Each file is parsed once and stored straight away: holding every parsed file of a
    # years-long folder until all were checked would take gigabytes. Checking "before
    # anything is written" holds for the batch as a whole because nothing commits until
    # every file has been checked and stored; a rejection rolls the transaction back.
    with engine.begin() as conn:
        stored_any = False
        for source, _kind in in_storing_order:
            parsed = read_policeuk_file(source, allow_duplicate_rows=allow_duplicate_rows)
            if progress:
                progress(1)
            if isinstance(parsed, FileSummary):
                summaries[source.name] = parsed
                continue
            if isinstance(parsed, StreetFile):
                summaries[source.name] = store_street(conn, parsed, imported_by, replace_partial=replace_partial)
            else:
                summaries[source.name] = store_outcomes(conn, parsed, imported_by)
            stored_any = True
            if progress:
                progress(1)
        # A whole-country archive also shows which forces published nothing for its months.
        if record_archive_months(conn, [source.name for source, kind in files if kind == STREET]):
            stored_any = True
        if stored_any:
            bump_data_version(conn)
    return [summaries[source.name] for source, _ in files]
