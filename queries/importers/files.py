"""Finding and reading input files: plain CSV, gzipped CSV, zip archives and folders.

Compressed input is read as a stream and refused once it passes ``max_bytes`` unpacked
(1 GiB unless the caller says otherwise; the app passes its ``IMPORT_MAX_BYTES`` setting):
a small archive can hold gigabytes of zeros, and reading it whole would exhaust the
machine's memory before any check ran.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import BinaryIO

from .errors import ImportRejected, RowError

DEFAULT_MAX_BYTES = 1024**3
CHUNK = 1024 * 1024
HEAD_BYTES = 4096


@dataclass(frozen=True)
class InputFile:
    """One CSV to import: its display name, a function returning its raw (unpacked) bytes,
    and optionally one returning only its first bytes without unpacking the rest."""

    name: str
    read_bytes: Callable[[], bytes]
    read_head: Callable[[], bytes] | None = None
    open_stream: Callable[[], BinaryIO] | None = None  # the unpacked bytes as a stream, read in bounded memory
    max_bytes: int = DEFAULT_MAX_BYTES  # the most it may unpack to

    @property
    def base_name(self) -> str:
        return self.name.rsplit("/", 1)[-1].removesuffix(".gz")

    def head(self) -> bytes:
        return self.read_head() if self.read_head else self.read_bytes()[:HEAD_BYTES]


def expand_paths(paths: Iterable[str | Path], max_bytes: int | None = None) -> Iterator[InputFile]:
    """Every CSV named by the paths: files, gzipped files, zip members, folder contents."""
    limit = DEFAULT_MAX_BYTES if max_bytes is None else max_bytes
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from expand_paths(sorted(p for p in path.rglob("*") if p.is_file()), limit)
        elif path.suffix.lower() == ".zip":
            yield from _zip_members(path, limit)
        elif path.name.lower().endswith(".csv.gz"):
            opener = partial(gzip.open, path)
            yield InputFile(str(path), lambda p=path, o=opener: _unpack(str(p), o, limit),
                            lambda p=path, o=opener: _head(str(p), o), opener, limit)
        elif path.name.lower().endswith(".csv"):
            yield InputFile(str(path), lambda p=path: _read_plain(p, limit),
                            partial(_head, str(path), partial(open, path, "rb"), "file"), partial(open, path, "rb"),
                            limit)
        elif not path.exists():
            raise ImportRejected([RowError(str(path), None, None, "no such file or folder")])


def input_from_bytes(name: str, data: bytes, max_bytes: int | None = None) -> InputFile:
    """An uploaded file (a CSV, or a gzipped CSV when its name ends in .gz) as an InputFile."""
    limit = DEFAULT_MAX_BYTES if max_bytes is None else max_bytes
    if name.lower().endswith(".gz"):
        opener = partial(_gzip_of_bytes, data)
        return InputFile(name.removesuffix(".gz"), lambda: _unpack(name, opener, limit), lambda: _head(name, opener),
                         opener, limit)
    if len(data) > limit:
        raise ImportRejected([RowError(name, None, None, too_large(limit))])
    return InputFile(name, lambda: data, open_stream=lambda: io.BytesIO(data), max_bytes=limit)


def _gzip_of_bytes(data: bytes) -> BinaryIO:
    return gzip.GzipFile(fileobj=io.BytesIO(data))


def too_large(limit: int) -> str:
    return f"larger than {limit:,} bytes unpacked (the IMPORT_MAX_BYTES setting); nothing was read further"


def _read_plain(path: Path, limit: int) -> bytes:
    if path.stat().st_size > limit:
        raise ImportRejected([RowError(str(path), None, None, too_large(limit))])
    return path.read_bytes()


def _unpack(name: str, opener: Callable[[], BinaryIO], limit: int, kind: str = "gzip file") -> bytes:
    """Decompress a stream in chunks. A first pass only counts (and stops at binary data,
    which no CSV holds), so a file over the limit is refused with constant memory; a file
    within it is then read for real."""
    try:
        size = 0
        with opener() as stream:
            while chunk := stream.read(CHUNK):
                if size == 0 and (encoding := other_encoding(chunk)):
                    raise ImportRejected([RowError(name, None, None, not_utf8(encoding))])
                if b"\x00" in chunk:
                    at = size + chunk.index(b"\x00")
                    raise ImportRejected([RowError(name, None, None, f"binary data (a NUL byte at byte {at:,}): not a CSV text file")])
                size += len(chunk)
                if size > limit:
                    raise ImportRejected([RowError(name, None, None, too_large(limit))])
        with opener() as stream:
            return stream.read()
    except (EOFError, OSError, zlib.error, zipfile.BadZipFile) as exc:
        raise ImportRejected([RowError(name, None, None, f"not a complete {kind} ({exc})")]) from exc


def not_utf8(encoding: str) -> str:
    return f"the file is {encoding} text, not UTF-8: save it as CSV UTF-8 and import it again"


def _head(name: str, opener: Callable[[], BinaryIO], kind: str = "gzip file") -> bytes:
    """The first bytes only, to classify a file by its header without unpacking it all."""
    try:
        with opener() as stream:
            return stream.read(HEAD_BYTES)
    except (EOFError, OSError, zlib.error, zipfile.BadZipFile) as exc:
        raise ImportRejected([RowError(name, None, None, f"not a complete {kind} ({exc})")]) from exc


def _zip_members(path: Path, limit: int) -> Iterator[InputFile]:
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise ImportRejected([RowError(str(path), None, None, "not a valid zip archive")]) from exc
    for member in sorted(archive.namelist()):
        if member.lower().endswith(".csv"):
            name = f"{path}/{member}"
            yield InputFile(name, lambda m=member, n=name: _unpack(n, lambda: archive.open(m), limit, "zip member"),
                            lambda m=member, n=name: _head(n, lambda: archive.open(m), "zip member"),
                            lambda m=member: archive.open(m), limit)


def decode_utf8(name: str, data: bytes) -> str:
    """Decode UTF-8 (with or without a byte-order mark), naming the line of a bad byte."""
    encoding = other_encoding(data)
    if encoding:
        raise ImportRejected([RowError(name, None, None, not_utf8(encoding))])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportRejected(
            [RowError(name, line, None, f"not UTF-8 text (byte 0x{data[exc.start]:02x})")]
        ) from exc


def other_encoding(data: bytes) -> str | None:
    """The name of a recognisable non-UTF-8 encoding (a UTF-16 or UTF-32 byte-order mark, or
    the NUL bytes UTF-16 puts beside ASCII), so the error says what is wrong."""
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "UTF-32"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    head = data[:HEAD_BYTES]
    if head and head.count(b"\x00") * 4 >= len(head):
        return "UTF-16"
    return None


def checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def text_stream(text: str) -> io.StringIO:
    # newline="" lets the csv module handle CRLF and LF files alike.
    return io.StringIO(text, newline="")


def read_small_text(path: Path, limit: int) -> str:
    """A small file a setting names (a peer group, harm weights), read whole as UTF-8 text.
    At most ``limit`` + 1 bytes are read; a ValueError naming the file says why one cannot
    be used (unreadable, larger than ``limit``, not UTF-8)."""
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as error:
        raise ValueError(f"{path.name}: cannot be read ({error.strerror})") from None
    if len(data) > limit:
        raise ValueError(f"{path.name}: larger than {limit // 1024} kB")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(f"{path.name}: not UTF-8 text") from None
