"""Finding and reading input files: plain CSV, gzipped CSV, zip archives and folders."""

from __future__ import annotations

import gzip
import hashlib
import io
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import ImportRejected, RowError


@dataclass(frozen=True)
class InputFile:
    """One CSV to import: its display name and a function that returns its raw bytes."""

    name: str
    read_bytes: Callable[[], bytes]

    @property
    def base_name(self) -> str:
        return self.name.rsplit("/", 1)[-1].removesuffix(".gz")


def expand_paths(paths: Iterable[str | Path]) -> Iterator[InputFile]:
    """Every CSV named by the paths: files, gzipped files, zip members, folder contents."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from expand_paths(sorted(p for p in path.rglob("*") if p.is_file()))
        elif path.suffix.lower() == ".zip":
            yield from _zip_members(path)
        elif path.name.lower().endswith((".csv", ".csv.gz")):
            yield InputFile(str(path), lambda p=path: _read_plain_or_gzip(p))
        elif not path.exists():
            raise ImportRejected([RowError(str(path), None, None, "no such file or folder")])


def _read_plain_or_gzip(path: Path) -> bytes:
    data = path.read_bytes()
    if path.name.lower().endswith(".gz"):
        try:
            return gzip.decompress(data)
        except (EOFError, OSError, zlib.error) as exc:
            raise ImportRejected(
                [RowError(str(path), None, None, f"not a complete gzip file ({exc})")]
            ) from exc
    return data


def _zip_members(path: Path) -> Iterator[InputFile]:
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise ImportRejected([RowError(str(path), None, None, "not a valid zip archive")]) from exc
    for member in sorted(archive.namelist()):
        if member.lower().endswith(".csv"):
            yield InputFile(f"{path}/{member}", lambda m=member: archive.read(m))


def decode_utf8(name: str, data: bytes) -> str:
    """Decode UTF-8 (with or without a byte-order mark), naming the line of a bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportRejected(
            [RowError(name, line, None, f"not UTF-8 text (byte 0x{data[exc.start]:02x})")]
        ) from exc


def checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def text_stream(text: str) -> io.StringIO:
    # newline="" lets the csv module handle CRLF and LF files alike.
    return io.StringIO(text, newline="")
