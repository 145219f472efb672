"""Bounded input: a spreadsheet is measured before anything reads it.

An .xlsx/.xlsm/.ods is a zip. Before a reader inflates it, `check_input` sums the sizes its directory
declares and refuses (BadInput, exit 2) a file that would inflate past MAX_TOTAL_BYTES, or a big member
inflating more than MAX_RATIO times (a zip bomb: 1 MB of repeated rows that becomes 1 GB of XML). It then
inflates each member once in CHUNK-sized pieces (bounded memory) and refuses a member that inflates to more
than it declared (a lying directory), and any cell longer than Excel's own limit of 32,767 characters (a cell
is refused, never silently cut). A CSV is scanned for the same cell limit.

Limits, and why: 1 GiB of XML is about 1.5 million register rows, ten times the biggest ledger flowparty is
measured on (100,000 members); a real sheet's XML compresses 5–30 times, repeated rows up to about 60, so a
member over 64 MiB inflating more than 200 times is not a register someone typed. The check inflates what the
reader will inflate anyway, once, at zlib speed (about 0.1 s per 50 MB of XML).
"""

from __future__ import annotations

import html
import re
import struct
import zipfile
import zlib
from pathlib import Path

from flowparty import labels as L
from flowparty.errors import BadInput

MAX_TOTAL_BYTES = 1 << 30
MAX_RATIO = 200
RATIO_FLOOR_BYTES = 64 << 20  # members smaller than this may compress as well as they like
MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
CHUNK = 1 << 20
WINDOW = 16_384  # every run of 2 * WINDOW bytes without a '<' holds one whole aligned window
ZIP_SUFFIXES = (".xlsx", ".xlsm", ".ods")
_CELL_MEMBERS = re.compile(r"(xl/worksheets/[^/]+\.xml|xl/sharedStrings\.xml|content\.xml)$", re.I)


class InputTooBig(BadInput):
    """A file or a cell past flowparty's bounds: exit 2, nothing read, nothing written."""


def _size(n: int) -> str:
    return f"{n / (1 << 30):.1f} GB" if n >= 1 << 30 else f"{n / (1 << 20):.0f} MB"


_passed: set[tuple] = set()  # files already measured in this run (path, size, modified, tail): import all reads
# one workbook sheet by sheet, and each read_table checks its file


def check_input(path: Path) -> None:
    """Refuse, before any reader sees it, a spreadsheet that is too big inflated, a zip bomb, a zip whose
    sizes lie, or a cell longer than 32,767 characters. Other files pass untouched. A file that passed is not
    measured again in the same run unless it changed."""
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        stat = path.stat()
        with path.open("rb") as handle:  # and its tail, where a zip keeps its directory with every member's CRC
            handle.seek(max(0, stat.st_size - (64 << 10)))
            seen = (str(path.resolve()), stat.st_size, stat.st_mtime_ns, hash(handle.read()))
    except OSError:
        seen = None
    if seen is not None and seen in _passed:
        return
    if suffix in ZIP_SUFFIXES and zipfile.is_zipfile(path):
        check_zip(path)
    elif suffix == ".csv":
        check_csv(path)
    if seen is not None:
        _passed.add(seen)


def check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            total = sum(m.file_size for m in members)
            if total > MAX_TOTAL_BYTES:
                raise InputTooBig(L.BOUNDS_TOO_BIG.format(size=_size(total), limit=_size(MAX_TOTAL_BYTES),
                                                          path=path.name), L.BOUNDS_TOO_BIG_HINT)
            for m in members:
                if m.file_size > RATIO_FLOOR_BYTES and m.file_size > MAX_RATIO * max(m.compress_size, 1):
                    raise InputTooBig(L.BOUNDS_RATIO.format(member=m.filename,
                                                            ratio=m.file_size // max(m.compress_size, 1),
                                                            path=path.name), L.BOUNDS_TOO_BIG_HINT)
            for m in members:
                _inflate(archive, m, path, bool(_CELL_MEMBERS.search(m.filename)))
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as error:
        raise BadInput(L.BOUNDS_BAD_ZIP.format(path=path.name), L.BOUNDS_BAD_ZIP_HINT) from error


def _inflate(archive: zipfile.ZipFile, member: zipfile.ZipInfo, path: Path, cells: bool) -> None:
    """Inflate one member from its raw bytes in bounded pieces: exactly the size it declared (zipfile itself
    would stop quietly at the declared size), and no cell past the limit."""
    lies = InputTooBig(L.BOUNDS_LIES.format(member=member.filename, path=path.name), L.BOUNDS_BAD_ZIP_HINT)
    seen = 0
    carry = b""
    for piece in _pieces(archive, member):
        seen += len(piece)
        if seen > member.file_size:
            raise lies
        if cells:
            carry = _scan_cells(carry + piece, path)
    if seen != member.file_size:
        raise lies
    if cells and carry:
        _scan_cells(carry + b"<", path)


def _pieces(archive: zipfile.ZipFile, member: zipfile.ZipInfo):
    if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        with archive.open(member) as stream:  # bzip2/lzma: rare in spreadsheets; zipfile's own bounded reads
            while piece := stream.read(CHUNK):
                yield piece
        return
    raw = archive.fp
    raw.seek(member.header_offset)
    header = raw.read(30)
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile("bad local header")
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    raw.seek(member.header_offset + 30 + name_len + extra_len)
    left = member.compress_size
    inflate = zlib.decompressobj(-15) if member.compress_type == zipfile.ZIP_DEFLATED else None
    while left > 0:
        data = raw.read(min(CHUNK, left))
        if not data:
            raise zipfile.BadZipFile("truncated member")
        left -= len(data)
        if inflate is None:
            yield data
            continue
        while data:
            out = inflate.decompress(data, CHUNK)
            data = inflate.unconsumed_tail
            if out:
                yield out
            if inflate.eof:
                return
    if inflate is not None:
        while out := inflate.decompress(b"", CHUNK) if not inflate.eof else b"":
            yield out


def _scan_cells(data: bytes, path: Path) -> bytes:
    """Refuse a text run (between two '<') longer than the cell limit; return the unfinished tail."""
    last = data.rfind(b"<")
    if last < 0:
        if len(data) > 4 * (MAX_CELL_CHARS + 10):  # even four bytes a character, too long for one cell
            _too_long(_chars(data), path)
        return data
    body, tail = data[:last], data[last:]
    for start in range(0, len(body), WINDOW):
        if body.find(b"<", start, start + WINDOW) >= 0:
            continue
        left = body.rfind(b"<", 0, start) + 1
        right = body.find(b"<", start)
        run = body[left:right if right >= 0 else len(body)]
        chars = _chars(run)
        if chars > MAX_CELL_CHARS:
            _too_long(chars, path)
    return tail


def _chars(run: bytes) -> int:
    text = run.decode("utf-8", "replace")
    text = text.split(">", 1)[1] if ">" in text[:200] else text  # the tag's own name and attributes
    return len(html.unescape(text)) if "&" in text else len(text)


def _too_long(chars: int, path: Path) -> None:
    raise InputTooBig(L.BOUNDS_CELL_FILE.format(length=chars, path=path.name), L.BOUNDS_CELL_HINT)


_CSV_SEPARATORS = bytes.maketrans(b',\t;"\r', b"\n\n\n\n\n")  # every byte that ends a run, as a line break


def check_csv(path: Path) -> None:
    """A CSV cell longer than the limit: a run of characters with no separator, quote or line break.

    Read in CHUNK pieces; the run after a piece's last separator is carried into the next piece, so a cell that
    crosses a piece boundary is measured whole (and the last cell of the file too). A run of 2 * WINDOW bytes or
    more holds a whole aligned window without a separator: only such windows are measured, in characters."""
    carry = b""
    with open(path, "rb") as handle:
        while piece := handle.read(CHUNK):
            raw = carry + piece if carry else piece
            marked = raw.translate(_CSV_SEPARATORS)
            last = marked.rfind(b"\n")
            if last < 0:  # no separator at all: the run goes on
                carry = raw
                if len(carry) > 4 * (MAX_CELL_CHARS + 1):  # even four bytes a character, too long for one cell
                    _too_long(_csv_chars(carry), path)
                continue
            _csv_runs(marked, raw, last, path)
            carry = raw[last + 1:]
    _csv_runs(carry.translate(_CSV_SEPARATORS) + b"\n", carry + b"\n", len(carry), path)


def _csv_runs(marked: bytes, raw: bytes, end: int, path: Path) -> None:
    """Refuse a run of marked[:end] (separators as b'\\n') longer than the cell limit, counted in raw's characters."""
    for start in range(0, end, WINDOW):
        if marked.find(b"\n", start, min(start + WINDOW, end)) >= 0:
            continue
        left = marked.rfind(b"\n", 0, start) + 1
        right = marked.find(b"\n", start)
        chars = _csv_chars(raw[left:right if right >= 0 else len(raw)])
        if chars > MAX_CELL_CHARS:
            _too_long(chars, path)


def _csv_chars(run: bytes) -> int:
    return len(run.decode("utf-8", "replace"))
