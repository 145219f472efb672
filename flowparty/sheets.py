"""Reading a clerk's workbook or CSV into rows keyed by column, wherever its header row is.

Registers come with title rows, a 填报单位 line, merged cells, blank rows and a 合计 row; the header may be
spelled many ways. This module finds the header, names the columns by key (labels.HEADER_ALIASES) and yields
the data rows with their Excel row numbers. It parses no values: that is flowparty.parse's job.

Rows stream: a CSV line by line, a workbook row by row. python-calamine reads a sheet whole (fast, but about
twice the sheet's XML in memory), so an .xlsx whose sheet is bigger than STREAM_SHEET_BYTES is read with
openpyxl's read-only mode instead, which streams at a tenth of the speed in nearly flat memory.
"""

from __future__ import annotations

import codecs
import csv
import os
import re
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain, islice
from operator import itemgetter
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from flowparty import labels as L
from flowparty.bounds import check_input
from flowparty.errors import BadInput
from flowparty.parse import fold, normalize

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
HEADER_SCAN_ROWS = 1000  # a header is looked for this far down (title rows, a long 填表说明 above it)
HEADER_AFTER_FIRST = 2  # rows read past the first row that looks like a header (a two-row header)
STREAM_SHEET_BYTES = 80 << 20  # uncompressed sheet XML; calamine's peak is about twice this (~150,000 rows)
STREAMED_SUFFIXES = (".xlsx", ".xlsm")  # the formats openpyxl reads
UTF8_BOM = codecs.BOM_UTF8

# A required column given as a tuple is satisfied by any one of its keys (a member by 身份证号 or by 姓名).
Required = Sequence[str | tuple[str, ...]]


class HeaderNotFound(BadInput):
    """No row of the sheet holds the columns a kind needs."""


@dataclass
class Row:
    number: int  # the row number Excel shows (the line number in a CSV)
    values: dict[str, object]


@dataclass
class Table:
    sheet: str
    headers: dict[str, str]  # key -> the header text as written in the file
    rows: Iterator[Row]  # read as they are consumed: a table is read once
    total: int | None = None  # the sheet's row count when the reader knows it (for a progress bar)
    ignored: list[str] = field(default_factory=list)  # header texts of the columns no key of the kind uses


_BRACKETED = re.compile(r"[(\[【〔]([^()\[\]【】〔〕]*)[)\]】〕]")
_NOTE_WORDS = {normalize(w).lower() for w in L.HEADER_NOTE_WORDS}
_NOTE_STARTS = ("单位", "如", "例", "注", "格式", "填")


def normalize_header(text: object) -> str:
    """'联系电话（手机）*', '金额（元）', ' 身份证 号码 ' to their bare words, for matching against the aliases.

    Spaces, line breaks, '*' and trailing colons go; words in brackets go only when they give a unit or a
    note (元, 手机, 年月日, 如 2026-01 …): 外出地点（省市）is 外出地点, but 金额（补交） stays itself.
    """
    words = re.sub(r"\s+", "", normalize(text)).strip("*:")

    def unit_or_note(match: re.Match) -> str:
        inner = match.group(1).strip().lower()
        return "" if inner in _NOTE_WORDS or inner.startswith(_NOTE_STARTS) or not inner else match.group(0)

    return _BRACKETED.sub(unit_or_note, words).strip("*:") or words


_ALIASES = {normalize_header(alias): key for key, aliases in L.HEADER_ALIASES.items() for alias in aliases}


def header_key(text: object) -> str | None:
    return _ALIASES.get(normalize_header(text)) if text not in (None, "") else None


def read_table(path: Path, keys: Sequence[str], required: Required, sheet: str | None = None) -> Table:
    """The data rows of the first sheet (or the named one) whose header row holds the required columns."""
    if not path.is_file():
        raise BadInput(L.FILE_NOT_FOUND.format(path=path))
    check_input(path)  # bounded input (flowparty.bounds): a zip bomb or an oversized cell is refused unread
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _locate(path.name, _read_csv(path), keys, required)
    if suffix not in WORKBOOK_SUFFIXES:
        raise BadInput(L.UNSUPPORTED_FILE.format(path=path), L.UNSUPPORTED_FILE_HINT)
    first_error: HeaderNotFound | None = None
    for name, grid, total in _read_workbook(path, sheet):
        try:
            return _locate(name, grid, keys, required, total)
        except HeaderNotFound as error:
            first_error = first_error or error
    raise first_error or _missing(path.name, required, {})  # a workbook without a single sheet


def require_rows(table: Table) -> Table:
    """The table, if it holds at least one data row; a sheet of headers only (a template sent back empty) is
    refused before anything is written, so that no empty batch is recorded and no backup taken for it."""
    rows = iter(table.rows)
    first = next(rows, None)
    if first is None:
        raise BadInput(L.SHEET_NO_DATA_ROWS.format(sheet=table.sheet), L.SHEET_NO_DATA_ROWS_HINT)
    table.rows = chain((first,), rows)
    return table


def require_workbook_sheets(path: Path, wanted: Iterable[str]) -> list[str]:
    """The workbook's sheet names, when at least one of the wanted ones (folded) is among them: a file that cannot
    be opened says why in Chinese, and one holding none of the sheets is refused (exit 2, nothing written)."""
    check_input(path)
    names = list(open_workbook(path).sheet_names)
    if not {fold(n) for n in names} & {fold(w) for w in wanted}:
        raise BadInput(L.WORKBOOK_NO_KNOWN_SHEETS.format(path=path.name, sheets="、".join(names) or "—"),
                       L.WORKBOOK_NO_KNOWN_SHEETS_HINT)
    return names


# ---------------------------------------------------------------- files to grids of cells


Grid = tuple[str, Iterable[list[object]], int | None]  # a sheet's name, its rows, its row count if known


def _read_workbook(path: Path, wanted: str | None) -> Iterator[Grid]:
    if path.suffix.lower() in STREAMED_SUFFIXES and _largest_sheet(path) > STREAM_SHEET_BYTES:
        return _read_streaming(path, wanted)
    return _read_calamine(path, wanted)


def _largest_sheet(path: Path) -> int:
    """The biggest uncompressed worksheet XML in an .xlsx (0 when it is no zip: calamine then says why)."""
    try:
        with zipfile.ZipFile(path) as book:
            return max((i.file_size for i in book.infolist() if i.filename.startswith("xl/worksheets/")), default=0)
    except (zipfile.BadZipFile, OSError):
        return 0


def _chosen(names: list[str], wanted: str | None) -> list[str]:
    if wanted is None:
        return names
    chosen = [n for n in names if fold(n) == fold(wanted)]
    if not chosen:
        raise BadInput(L.SHEET_NOT_FOUND.format(sheet=wanted, sheets="、".join(names)))
    return chosen


def open_workbook(path: Path):
    """calamine's workbook, or BadInput saying in Chinese why the file cannot be opened."""
    from python_calamine import CalamineWorkbook

    with _reading(path):
        return CalamineWorkbook.from_path(str(path))


def sheet_names(path: Path) -> list[str]:
    """The workbook's sheet names; none when it cannot be opened (reading it proper then says why)."""
    try:
        return list(open_workbook(path).sheet_names)
    except BadInput:
        return []


@contextmanager
def _reading(path: Path) -> Iterator[None]:
    """Around a call into a reader: its error becomes unreadable(path)'s Chinese. calamine is Rust: a malformed
    file can make it panic, which reaches Python as a BaseException after the panic's English was written
    straight to file descriptor 2, so that descriptor points nowhere during the call."""
    try:
        saved = os.dup(2)
    except OSError:  # no standard error at all: nothing to keep quiet
        saved = None
    try:
        if saved is not None:
            with open(os.devnull, "wb") as null:
                os.dup2(null.fileno(), 2)
        yield
    except (BadInput, KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as error:  # calamine's own error types, zipfile's, XML's, and a Rust panic
        raise unreadable(path, error) from error
    finally:
        if saved is not None:
            os.dup2(saved, 2)
            os.close(saved)


def _read_calamine(path: Path, wanted: str | None) -> Iterator[Grid]:
    book = open_workbook(path)
    ods_spans: dict[str, list] | None = None
    for name in _chosen(book.sheet_names, wanted):
        with _reading(path):  # a sheet whose XML is damaged inside an intact zip
            sheet = book.get_sheet_by_name(name)
            ranges = sheet.merged_cell_ranges or []
            if not ranges and path.suffix.lower() == ".ods":  # calamine gives no merged ranges for .ods
                ods_spans = _ods_spans(path) if ods_spans is None else ods_spans
                ranges = ods_spans.get(name, [])
        pad = (None,) * (sheet.start[1] if sheet.start else 0)  # iter_rows leaves out the empty columns on the left
        rows = (_cells(row, pad) for row in sheet.iter_rows())
        yield name, _fill_merged(rows, ranges) if ranges else rows, sheet.total_height


_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"


def _ods_spans(path: Path) -> dict[str, list]:
    """Each sheet's merged cells in an .ods, 0-based as calamine gives an .xlsx's: from content.xml's
    number-rows-spanned / number-columns-spanned, read in one streaming pass (rows are dropped once read)."""
    import xml.etree.ElementTree as ET

    spans: dict[str, list] = {}
    cells = (_ODS_TABLE + "table-cell", _ODS_TABLE + "covered-table-cell")
    with zipfile.ZipFile(path) as book, book.open("content.xml") as xml:
        name, row, col, depth = None, 0, 0, 0
        for event, element in ET.iterparse(xml, events=("start", "end")):
            tag = element.tag
            if tag == _ODS_TABLE + "table":
                depth += 1 if event == "start" else -1
                if event == "start" and depth == 1:
                    name, row = element.get(_ODS_TABLE + "name"), 0
                    spans.setdefault(name, [])
            elif depth != 1:
                continue
            elif tag == _ODS_TABLE + "table-row":
                if event == "start":
                    col = 0
                else:
                    row += int(element.get(_ODS_TABLE + "number-rows-repeated", 1))
                    element.clear()
            elif tag in cells and event == "end":
                down = int(element.get(_ODS_TABLE + "number-rows-spanned", 1))
                across = int(element.get(_ODS_TABLE + "number-columns-spanned", 1))
                if tag == cells[0] and (down > 1 or across > 1):
                    spans[name].append(((row, col), (row + down - 1, col + across - 1)))
                col += int(element.get(_ODS_TABLE + "number-columns-repeated", 1))
    return spans


def _read_streaming(path: Path, wanted: str | None) -> Iterator[Grid]:
    """A big .xlsx, row by row in flat memory; merged cells are filled as calamine's are."""
    from openpyxl import load_workbook

    with _reading(path):  # openpyxl and zipfile raise zip, XML and key errors for damaged files
        book = load_workbook(path, read_only=True, data_only=True)
        members = _sheet_members(path)
    for name in _chosen(book.sheetnames, wanted):
        with _reading(path):  # only the sheets looked at are scanned
            sheet = book[name]
            total = sheet.max_row
            sheet.reset_dimensions()  # trust the rows, not the dimension a writer recorded
            ranges = list(_scan_merges(path, members[name])) if name in members else []
        rows = map(_cells, sheet.iter_rows(values_only=True))
        yield name, _damage_as_bad_input(path, _fill_merged(rows, ranges) if ranges else rows), total


_MERGE_REF = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')


def _sheet_members(path: Path) -> dict[str, str]:
    """sheet name → the zip member holding its XML (xl/workbook.xml and its relationships)."""
    import xml.etree.ElementTree as ET

    with zipfile.ZipFile(path) as book:
        targets = {rel.get("Id"): rel.get("Target") for rel in ET.fromstring(book.read("xl/_rels/workbook.xml.rels"))}
        members = {}
        for sheet in ET.fromstring(book.read("xl/workbook.xml")).iter():
            rel = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
            if sheet.tag.endswith("}sheet") and targets.get(rel) is not None:
                target = targets[rel]
                members[sheet.get("name")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return members


def _scan_merges(path: Path, member: str) -> Iterator[tuple[tuple[int, int], tuple[int, int]]]:
    """A sheet's merged ranges ((top, left), (bottom, right)), 0-based as calamine gives them. openpyxl's read-only
    mode does not read them, and they follow the rows in the XML: one pass, decompressed in chunks, not held."""
    with zipfile.ZipFile(path) as book, book.open(member) as xml:
        for text in _whole_tags(xml):
            for match in _MERGE_REF.finditer(text):
                left, top, right, bottom = match.groups()
                yield (int(top) - 1, _column(left)), (int(bottom) - 1, _column(right))


def _whole_tags(stream) -> Iterator[bytes]:
    """The stream in pieces of about a megabyte, each cut before a '<' so that no tag is split in two."""
    tail = b""
    for chunk in iter(lambda: stream.read(1 << 20), b""):
        text = tail + chunk
        cut = text.rfind(b"<")
        if cut > 0:
            yield text[:cut]
            text = text[cut:]
        tail = text
    yield tail


def _column(letters: bytes) -> int:
    """A column's letters as its 0-based index: A → 0, AA → 26."""
    index = 0
    for letter in letters:
        index = index * 26 + letter - 64
    return index - 1


def _damage_as_bad_input(path: Path, rows: Iterator[list[object]]) -> Iterator[list[object]]:
    """Damage deep inside a streamed sheet shows only when the reader gets there."""
    try:
        yield from rows
    except (BadInput, KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except Exception as error:
        raise unreadable(path, error) from error


# ---------------------------------------------------------------- a reader's error in the clerk's words

CFB_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")  # an OLE compound file: an .xls, or an encrypted .xlsx
_WORKBOOK_MEMBERS = ("[Content_Types].xml", "mimetype", "content.xml", "xl/workbook.xml", "xl/workbook.bin")


def unreadable(path: Path, error: BaseException) -> BadInput:
    """What a reader (calamine, openpyxl, zipfile, an XML parser) raised, said in Chinese by what the file is:
    password-protected, empty, cut short, a zip that is no workbook, a web page or text saved as .xls, or a
    workbook damaged inside. The library's own English is never shown (FLOWPARTY_DEBUG=1 shows it)."""
    from python_calamine import PasswordError

    name = path.name
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(512)
    except OSError:
        size, head = -1, b""
    if isinstance(error, PasswordError) or "password" in str(error).lower():
        return BadInput(L.FILE_PASSWORD.format(path=name), L.FILE_PASSWORD_HINT)
    if size == 0:
        return BadInput(L.FILE_EMPTY.format(path=name), L.FILE_TRUNCATED_HINT)
    if head.startswith(b"PK"):
        try:
            with zipfile.ZipFile(path) as book:
                listed = set(book.namelist())
        except Exception:  # the zip's directory at its end is missing: the file was cut short
            return BadInput(L.FILE_TRUNCATED.format(path=name), L.FILE_TRUNCATED_HINT)
        if not listed & set(_WORKBOOK_MEMBERS):
            return BadInput(L.FILE_ZIP_NOT_WORKBOOK.format(path=name), L.FILE_RESAVE_HINT)
        return BadInput(L.FILE_DAMAGED.format(path=name), L.FILE_RESAVE_HINT)
    if head.startswith(CFB_SIGNATURE):  # an encrypted .xlsx is a compound file holding an EncryptedPackage
        if _holds(path, "EncryptedPackage".encode("utf-16-le")):
            return BadInput(L.FILE_PASSWORD.format(path=name), L.FILE_PASSWORD_HINT)
        return BadInput(L.FILE_DAMAGED.format(path=name), L.FILE_RESAVE_HINT)
    text = head.lstrip(UTF8_BOM + b" \t\r\n").lower()
    if text.startswith((b"<", b"\xff\xfe<", b"\xfe\xff")):
        return BadInput(L.FILE_WEB_PAGE.format(path=name), L.FILE_RESAVE_HINT)
    if head and _looks_like_text(head):
        return BadInput(L.FILE_TEXT.format(path=name), L.FILE_TEXT_HINT)
    return BadInput(L.FILE_NOT_WORKBOOK.format(path=name), L.FILE_RESAVE_HINT)


def _holds(path: Path, needle: bytes) -> bool:
    """The file holds these bytes somewhere (read in pieces: a compound file's directory may be anywhere)."""
    tail = b""
    with path.open("rb") as handle:
        for piece in iter(lambda: handle.read(1 << 20), b""):
            if needle in tail + piece:
                return True
            tail = piece[-len(needle):]
    return False


def _looks_like_text(head: bytes) -> bool:
    """The file's first bytes read as printable UTF-8, GB 18030 or (after its byte order mark) UTF-16 text."""
    encodings = ("utf-16",) if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else ("utf-8", "gb18030")
    for encoding in encodings:
        try:
            text = codecs.getincrementaldecoder(encoding)().decode(head)  # a character cut at the end is fine
        except UnicodeDecodeError:
            continue
        if text and all(c.isprintable() or c in "\t\r\n" for c in text.lstrip("\ufeff")):
            return True
    return False


def _cells(row: Sequence[object], pad: tuple[None, ...] = ()) -> list[object]:
    """A row's cells after pad: empty cells as None, text trimmed, whole floats as ints (a phone typed as a number
    is 13800138000.0). One comprehension, not a call a cell: a register has millions of cells."""
    cells = [(v.strip() or None) if type(v) is str else int(v) if type(v) is float and v.is_integer() else v
             for v in row]
    return [*pad, *cells] if pad else cells


def _fill_merged(rows: Iterable[list[object]], ranges: list) -> Iterator[list[object]]:
    """A merged cell holds its value in the top-left corner only; every row it spans means that value."""
    starting: dict[int, list] = {}
    for (top, left), (bottom, right) in ranges:
        starting.setdefault(top, []).append((left, bottom, right))
    spans: list[list] = []  # [value, left, bottom, right] of the merges over the current row
    for r, row in enumerate(rows):
        for left, bottom, right in starting.get(r, ()):
            if left < len(row):
                spans.append([row[left], left, bottom, right])
        if spans:
            spans = [span for span in spans if span[2] >= r]
            for value, left, _, right in spans:
                if len(row) <= right:  # a streamed row ends at its last written cell
                    row.extend([None] * (right + 1 - len(row)))
                row[left:right + 1] = [value] * (right + 1 - left)
        yield row


def csv_encoding(path: Path) -> str:
    """UTF-8 with or without BOM, else GB 18030 (the superset of the GBK that Excel writes on Chinese Windows)."""
    with path.open("rb") as handle:
        if handle.read(3) == UTF8_BOM:
            return "utf-8-sig"
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            for chunk in iter(lambda: handle.read(1 << 16), b""):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "gb18030"
    return "utf-8"


_PROTECTED = ("'=", "'+", "'-", "'@", "'\t", "'\r")  # export's guard against a formula: '=1+1


def _read_csv(path: Path) -> Iterator[list[object]]:
    """The rows of a CSV; a file in another encoding (UTF-16, Big5…) or with a runaway cell is refused. A cell
    that export protected with a leading ' comes back as it was written."""
    try:
        with path.open(encoding=csv_encoding(path), newline="") as handle:
            for row in csv.reader(handle):  # _cells of text; a line without a ' has no protected cell
                if "'" in "".join(row):
                    yield [(v[1:] if v.startswith(_PROTECTED) else v).strip() or None for v in row]
                else:
                    yield [v.strip() or None for v in row]
    except UnicodeDecodeError:
        raise BadInput(L.CSV_ENCODING.format(path=path), L.CSV_ENCODING_HINT) from None
    except csv.Error:
        raise BadInput(L.CSV_BROKEN.format(path=path), L.CSV_ENCODING_HINT) from None


# ---------------------------------------------------------------- the header and the data rows


def _locate(sheet: str, grid: Iterable[list[object]], keys: Sequence[str], required: Required,
            total: int | None = None) -> Table:
    rows = iter(grid)
    head: list[list[object]] = []
    matches: list[dict[int, str]] = []
    end = HEADER_SCAN_ROWS
    for row in rows:  # up to HEADER_SCAN_ROWS rows, and a couple past the first that looks like a header
        head.append(row)
        matches.append(_match(row, keys))
        if len(matches[-1]) >= 2 and end == HEADER_SCAN_ROWS:
            end = min(end, len(head) + HEADER_AFTER_FIRST)
        if len(head) >= end:
            break
    best = max(range(len(head)), key=lambda i: len(matches[i]), default=None)
    if best is None or len(matches[best]) < 2:
        raise _missing(sheet, required, {})
    columns, last, first = dict(matches[best]), best, best
    if best + 1 < len(head) and matches[best + 1]:  # a two-row header: 外出情况 over 外出时间 | 流入地
        columns, last = _combine(matches[best], matches[best + 1]), best + 1
    elif best > 0 and matches[best - 1]:
        columns, first = _combine(matches[best - 1], matches[best]), best - 1
    found = set(columns.values())
    if any(not (set(_options(need)) & found) for need in required):
        raise _missing(sheet, required, found)
    by_key: dict[str, int] = {}
    for col, key in sorted(columns.items()):
        if key in by_key:
            raise _duplicate(sheet, head, first, last, key, by_key[key], col)
        by_key[key] = col
    headers = {key: str(_header_text(head, best, last, col)) for key, col in by_key.items()}
    ignored = _ignored(head[first:last + 1], set(columns))
    data = _data_rows(head[last + 1:], rows, last + 2, by_key)
    return Table(sheet, headers, data, total and max(0, total - last - 1), ignored)


def _duplicate(sheet: str, head: list, first: int, last: int, key: str, one: int, other: int) -> BadInput:
    def text(col: int) -> str:
        return next((str(head[r][col]) for r in range(last, first - 1, -1)
                     if col < len(head[r]) and header_key(head[r][col]) == key), "")

    return BadInput(L.HEADER_DUPLICATE.format(sheet=sheet, key=L.HEADER_ALIASES[key][0], first=column_letters(one),
                                              first_text=text(one), second=column_letters(other),
                                              second_text=text(other)))


def _ignored(header_rows: list[list[object]], used: set[int]) -> list[str]:
    """The header texts of the columns the kind does not read (a 序号 is not worth naming)."""
    names: dict[str, None] = {}
    width = max((len(r) for r in header_rows), default=0)
    for col in range(width):
        if col in used:
            continue
        texts = [r[col] for r in header_rows if col < len(r) and r[col] not in (None, "")]
        if texts and header_key(texts[-1]) != "seq":
            names[re.sub(r"\s+", " ", str(texts[-1])).strip()] = None
    return list(names)


def column_letters(index: int) -> str:
    """A 0-based column index as Excel's letters: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _options(need: str | tuple[str, ...]) -> tuple[str, ...]:
    return need if isinstance(need, tuple) else (need,)


def _match(row: list[object], keys: Sequence[str]) -> dict[int, str]:
    """The columns of a row that name a key. A key named again in the very next column with the same words is
    one merged header cell (流入地 across 省 | 市): only its first column counts."""
    found: dict[int, str] = {}
    for col, value in enumerate(row):
        key = header_key(value) if isinstance(value, str) else None
        if key in keys:
            if found.get(col - 1) == key and row[col - 1] == value:
                continue
            found[col] = key
    return found


def _combine(upper: dict[int, str], lower: dict[int, str]) -> dict[int, str]:
    """The columns of a two-row header; where both rows name a column, the lower (more specific) row wins."""
    return {**upper, **lower}


def _header_text(head: list, best: int, last: int, col: int) -> object:
    for r in range(last, best - 2, -1):
        if 0 <= r < len(head) and col < len(head[r]) and header_key(head[r][col]):
            return head[r][col]
    return ""


def _missing(sheet: str, required: Required, found) -> HeaderNotFound:
    names = [
        L.HEADER_EITHER.format(first=L.HEADER_ALIASES[need[0]][0], second=L.HEADER_ALIASES[need[1]][0])
        if isinstance(need, tuple) else L.HEADER_ALIASES[need][0]
        for need in required if not (set(_options(need)) & set(found))
    ]
    return HeaderNotFound(L.HEADER_NOT_FOUND.format(sheet=sheet, missing="、".join(names)))


def _data_rows(rest_of_head: list, rows, first_number: int, columns: dict[str, int]) -> Iterator[Row]:
    number = first_number
    keys, cols = list(columns), list(columns.values())
    pick, width = itemgetter(*cols, cols[0]), max(cols) + 1  # the extra column keeps a 1-column pick a tuple
    few = len(keys) - 1  # a row with fewer cells than this given is blank (or holds a 序号 alone)
    marks = _MARKS
    for source in (rest_of_head, rows):
        for row in source:
            if len(row) >= width:
                picked = pick(row)
                values = dict(zip(keys, picked))
                # the common row, decided here: enough cells given, and none of its first three cells starts
                # like a 合计 or a note (cells come trimmed); anything else is left to _skipped
                if picked.count(None) - (picked[-1] is None) < few and len(row) >= 3 \
                        and (a := row[0]) is not None and (b := row[1]) is not None and (c := row[2]) is not None \
                        and (type(a) is not str or a[0] not in marks) and (type(b) is not str or b[0] not in marks) \
                        and (type(c) is not str or c[0] not in marks):
                    yield Row(number, values)
                    number += 1
                    continue
            else:  # a short row (a CSV line, a streamed row ending early)
                values = {key: row[col] if col < len(row) else None for key, col in columns.items()}
            if not _skipped(row, values):
                yield Row(number, values)
            number += 1


_MARKS = {fold(word)[0] for word in (*L.TOTALS_WORDS, *L.NOTE_PREFIXES)}  # how a 合计 or note row can begin


def _skipped(row: list[object], values: dict[str, object]) -> bool:
    """Blank rows (a pre-numbered 序号 alone counts as blank), 合计 rows and notes under the table."""
    blanks = list(values.values()).count(None)  # one C-level pass: a register has millions of rows
    if blanks == len(values) or blanks == len(values) - 1 and values.get("seq") is not None:
        return True
    seen = 0
    for v in row:  # an ordinary data row: none of its first three cells starts like a 合计 or a note
        if v is not None:
            if isinstance(v, str) and v[0] in _MARKS:
                break
            seen += 1
            if seen == 3:
                return False
    else:
        return False  # cells come trimmed: no leading spaces, nothing to fold
    texts = (re.sub(r"\s+", "", fold(v)) for v in row if v is not None)  # folded only as far as needed
    head = list(islice(texts, 3))
    if any(t.startswith(L.TOTALS_WORDS) for t in head):
        return True
    return bool(head) and head[0].startswith(L.NOTE_PREFIXES) and len({*head, *texts}) == 1


def ignored_note(table: Table) -> str | None:
    """The import summary's line naming the columns no key used (None when every column was read)."""
    return L.IMPORT_IGNORED_COLUMNS.format(columns="、".join(f"“{c}”" for c in table.ignored)) if table.ignored else None
