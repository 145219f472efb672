"""Parsing of the values a clerk types or a spreadsheet holds: dates, months, periods, money, IDs, phones.

One module for the command line and the importers, so a value means the same wherever it is typed.
Every parser raises BadInput naming the field and the value.
"""

from __future__ import annotations

import calendar
import operator
import re
import unicodedata
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import NamedTuple

from flowparty import labels as L
from flowparty.errors import BadInput


# Folded by fold: full-width digits and Latin letters, and the ideographic space. Punctuation (（）、，：) stays
# as typed: a clerk's （松江） is not turned into (松江).
_WIDE = {**{0xFF10 + i: 0x30 + i for i in range(10)}, **{0xFF21 + i: 0x41 + i for i in range(26)},
         **{0xFF41 + i: 0x61 + i for i in range(26)}, 0x3000: 0x20}
# Invisible characters that would let a look-alike name sit beside the real one (王\u200d建国 beside 王建国):
# zero-width spaces and joiners, bidi marks and embeddings, word joiners, a byte-order mark inside text.
_INVISIBLE = {c: None for c in (*range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2060, 0x2065), 0xFEFF)}
_FOLD = {**_WIDE, **_INVISIBLE}


def fold(text: object) -> str:
    """Fold full-width digits, letters and spaces to their plain forms, drop invisible characters, trim the ends.

    Punctuation is kept as typed. The parsers of structured values (dates, amounts, IDs …) use normalize.
    """
    text = str(text)
    return text.strip() if text.isascii() else text.translate(_FOLD).strip()


def normalize(text: object) -> str:
    """Compatibility-normalised text (NFKC: ２０２６／３／１ → 2026/3/1, ￥ → ¥, ， → ,) for structured values."""
    text = str(text)
    return text.strip() if text.isascii() else unicodedata.normalize("NFKC", text.translate(_INVISIBLE)).strip()


NAME_MAX_CHARS = 50
TEXT_MAX_CHARS = 2000
# C0 and C1 controls (NUL, BEL, ESC of a terminal escape, DEL …); a tab or a line break is allowed in free text
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_IN_NAME = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def clean_text(value: object, field: str, limit: int = TEXT_MAX_CHARS) -> str:
    """Free text (notes, employer, summary): folded; control characters and over-long text refused, never cut."""
    text = fold(value)
    if _CONTROL.search(text):
        raise BadInput(L.TEXT_CONTROL_CHAR.format(field=field, value=_visible(text)))
    if len(text) > limit:
        raise BadInput(L.TEXT_TOO_LONG.format(field=field, value=shown(text), length=len(text), limit=limit))
    return text


def clean_name(value: object, field: str = L.FIELD_NAME) -> str:
    """A person's or an organisation's name: as clean_text, on one line, at most NAME_MAX_CHARS characters.

    Invisible characters (zero-width, bidi) are dropped by fold, so 王\u200b建国 is the same name as 王建国.
    """
    text = fold(value)
    if _CONTROL_IN_NAME.search(text):
        raise BadInput(L.TEXT_CONTROL_CHAR.format(field=field, value=_visible(text)))
    if len(text) > NAME_MAX_CHARS:
        raise BadInput(L.TEXT_TOO_LONG.format(field=field, value=shown(text), length=len(text), limit=NAME_MAX_CHARS))
    return text


def _visible(text: str) -> str:
    """A text with its control characters shown as codes (\\x1b), so the message cannot drive the terminal."""
    return shown(_CONTROL_IN_NAME.sub(lambda m: f"\\x{ord(m.group()):02x}", text))


SHOWN_CHARS = 60


def shown(value: object) -> str:
    """A typed value as an error message repeats it: cut to SHOWN_CHARS, so a huge cell cannot flood the screen."""
    text = str(value)
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…"


# ---------------------------------------------------------------- dates

_DATE_PATTERNS = [
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
    re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?$"),
]


_TIME_OF_DAY = re.compile(r"\s+\d{1,2}:\d{2}(:\d{2})?$")


FIRST_DATE = date(1900, 1, 1)
# What a spreadsheet shows for an empty date cell: day 0 of Excel's calendar (1899-12-30 on Windows Excel,
# 1899-12-31 or 1900-01-00 elsewhere), often displayed as 00:00:00.
_BLANK_DATES = (date(1899, 12, 30), date(1899, 12, 31))
_BLANK_DATE_TEXT = re.compile(r"^(1899\D12\D3[01]|1900\D0?1\D0?0|0?0:00(:00)?)$")


def parse_date(value: object, field: str) -> date:
    """A date in any form of SPEC §4; a date or datetime passes through. Excel's blank date and days before
    1900 are refused: no one in the ledger did anything before 1900."""
    if isinstance(value, time) or value == 0 and isinstance(value, (int, float)) and not isinstance(value, bool):
        raise BadInput(L.DATE_BLANK.format(field=field), L.DATE_FORMS)
    if isinstance(value, (date, datetime)):
        return _after_1900(value.date() if isinstance(value, datetime) else value, field, value)
    serial = excel_serial(value)
    if serial:
        return serial
    text = normalize(value)
    text = _TIME_OF_DAY.sub("", text)  # a time of day typed after the date
    if _BLANK_DATE_TEXT.match(text):
        raise BadInput(L.DATE_BLANK.format(field=field), L.DATE_FORMS)
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            year, month, day = (int(part) for part in match.groups())
            try:
                return _after_1900(date(year, month, day), field, value)
            except ValueError:
                break
    raise BadInput(L.BAD_DATE.format(field=field, value=shown(value)), L.DATE_FORMS)


def _after_1900(day: date, field: str, value: object) -> date:
    if day in _BLANK_DATES:
        raise BadInput(L.DATE_BLANK.format(field=field), L.DATE_FORMS)
    if day < FIRST_DATE:
        raise BadInput(L.DATE_BEFORE_1900.format(field=field, value=day.isoformat()), L.DATE_FORMS)
    return day


_EXCEL_EPOCH = date(1899, 12, 30)
_EXCEL_LAST_SERIAL = 2958465  # 9999-12-31


def excel_serial(value: object) -> date | None:
    """A spreadsheet's day number (45717 = 2025-03-01) as a date; None for anything else.

    A number of eight digits is not a serial but a typed 20260301, left to the text forms.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if not 1 <= value <= _EXCEL_LAST_SERIAL or value != int(value):  # NaN and infinity fail the range
        return None
    day = _EXCEL_EPOCH + timedelta(days=int(value))
    return day if day >= FIRST_DATE else None


def parse_date_or_month(value: object, field: str) -> date:
    """A date, or a month alone (2026.3, 2026年6月) as its first day: registers often give 入党时间 by month."""
    try:
        return parse_date(value, field)
    except BadInput as error:
        try:
            return parse_month(value, field).first_day
        except BadInput:
            raise error from None


def optional_date_or_month(value: object, field: str) -> date | None:
    if value is None or fold(value) == "":
        return None
    return parse_date_or_month(value, field)


def optional_date(value: object, field: str) -> date | None:
    """parse_date, where an empty value means no date."""
    if value is None or fold(value) == "":
        return None
    return parse_date(value, field)


# ---------------------------------------------------------------- months and periods


class Month(NamedTuple):
    """A calendar month; ordered, and stored in the ledger as 'YYYY-MM'."""

    year: int
    month: int

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @classmethod
    def from_index(cls, index: int) -> Month:
        return cls(index // 12, index % 12 + 1)

    @property
    def index(self) -> int:
        return self.year * 12 + self.month - 1

    def plus(self, months: int) -> Month:
        return Month.from_index(self.index + months)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def quarter(self) -> int:
        return (self.month - 1) // 3 + 1

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def month_range(first: Month, last: Month) -> list[Month]:
    """Every month from first to last inclusive (empty when last is before first)."""
    return [Month.from_index(i) for i in range(first.index, last.index + 1)]


_MONTH_PATTERNS = [
    re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})$"),
    re.compile(r"^(\d{4})(\d{2})$"),
    re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月(份)?$"),
]
_QUARTER_PATTERNS = [
    re.compile(r"^(\d{4})\s*-?\s*Q([1-4])$", re.IGNORECASE),
    re.compile(r"^(\d{4})\s*年?\s*第?\s*([1-4一二三四])\s*季度?$"),
]
_CHINESE_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4}
_RANGE_SEPARATOR = re.compile(r"\s*(?:\.\.|~|～|至|到)\s*")
MAX_PERIOD_MONTHS = 60


def parse_month(value: object, field: str = L.FIELD_PERIOD) -> Month:
    """A month: 2026-01, 2026/1, 2026.1, 202601, 2026年1月; a date gives its month."""
    if isinstance(value, (date, datetime, time)):
        return Month.of(parse_date(value, field))
    text = normalize(value)
    for pattern in _MONTH_PATTERNS:
        match = pattern.match(text)
        if match:
            year, month = int(match.group(1)), int(match.group(2))
            if 1 <= month <= 12 and year >= 1900:
                return Month(year, month)
            break
    raise BadInput(L.BAD_MONTH.format(field=field, value=shown(value)), L.PERIOD_FORMS)


def _quarter(text: str) -> list[Month] | None:
    for pattern in _QUARTER_PATTERNS:
        match = pattern.match(text)
        if match:
            year, q = int(match.group(1)), match.group(2)
            q = _CHINESE_DIGITS.get(q) or int(q)
            first = Month(year, 3 * q - 2)
            return month_range(first, first.plus(2))
    return None


def parse_periods(value: object, field: str = L.FIELD_PERIOD) -> list[Month]:
    """A month, a quarter (2026-Q1) or a range (2026-01..2026-06) as the list of its months."""
    if isinstance(value, (date, datetime, time)):
        return [Month.of(parse_date(value, field))]
    text = normalize(value)
    quarter = _quarter(text)
    if quarter:
        return quarter
    parts = _RANGE_SEPARATOR.split(text)
    if len(parts) == 1:
        return [parse_month(text, field)]
    if len(parts) != 2:
        raise BadInput(L.BAD_MONTH.format(field=field, value=shown(value)), L.PERIOD_FORMS)
    first, last = parse_month(parts[0], field), parse_month(parts[1], field)
    if last < first:
        raise BadInput(L.PERIOD_REVERSED.format(field=field, value=shown(value)), L.PERIOD_FORMS)
    months = month_range(first, last)
    if len(months) > MAX_PERIOD_MONTHS:
        raise BadInput(L.PERIOD_TOO_LONG.format(field=field, value=shown(value), limit=MAX_PERIOD_MONTHS))
    return months


# ---------------------------------------------------------------- money

_AMOUNT = re.compile(r"^(?:¥|RMB|人民币)?\s*(\d{1,3}(?:,\d{3})+|\d+)(\.\d{1,2})?\s*(?:元)?$", re.IGNORECASE)
_MISPLACED_COMMA = re.compile(r"^(?:¥|RMB|人民币)?\s*\d[\d,]*,[\d,]*(\.\d*)?\s*(?:元)?$", re.IGNORECASE)
MAX_AMOUNT_FEN = 100_000_000_00  # 1 亿元: far above any payment; a bigger number is a typing slip


def parse_amount(value: object, field: str = L.FIELD_AMOUNT) -> int:
    """An amount in yuan (36, 36.00, 36元, ￥36, RMB36, 1,200.00) as integer fen; it must be above zero.

    A comma is a thousands separator only between groups of three digits: 36,00 and 36，5 are refused.
    """
    if isinstance(value, bool):
        raise BadInput(L.BAD_AMOUNT.format(field=field, value=shown(value)), L.AMOUNT_FORMS)
    if isinstance(value, (int, float, Decimal)):
        number = Decimal(str(value)) if not isinstance(value, Decimal) else value
        if not number.is_finite() or abs(number) >= MAX_AMOUNT_FEN // 100:
            raise BadInput(L.AMOUNT_TOO_BIG.format(field=field, value=shown(value)), L.AMOUNT_FORMS)
        text = f"{number.normalize():f}"
    else:
        text = normalize(value)
    match = _AMOUNT.match(text)
    if not match:
        if _MISPLACED_COMMA.match(text):
            raise BadInput(L.AMOUNT_DECIMAL_COMMA.format(field=field, value=shown(value)), L.AMOUNT_FORMS)
        raise BadInput(L.BAD_AMOUNT.format(field=field, value=shown(value)), L.AMOUNT_FORMS)
    whole = match.group(1).replace(",", "")
    if len(whole) > 12:
        raise BadInput(L.AMOUNT_TOO_BIG.format(field=field, value=shown(value)), L.AMOUNT_FORMS)
    fen = int(Decimal(whole + (match.group(2) or "")) * 100)
    if fen <= 0:
        raise BadInput(L.AMOUNT_NOT_POSITIVE.format(field=field, value=shown(value)))
    if fen > MAX_AMOUNT_FEN:
        raise BadInput(L.AMOUNT_TOO_BIG.format(field=field, value=shown(value)), L.AMOUNT_FORMS)
    return fen


def split_fen(total: int, parts: int) -> list[int]:
    """Split a total in fen evenly over parts; the first months take the odd fen, so the sum is exact."""
    base, rest = divmod(total, parts)
    return [base + (1 if i < rest else 0) for i in range(parts)]


def format_fen(fen: int) -> str:
    """Integer fen as yuan with two decimals: 3600 -> '36.00'."""
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"


# ---------------------------------------------------------------- 身份证号

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_FORM = re.compile(r"\d{17}[\dX]")
_SPACES = re.compile(r"\s+")
_ID_CHECK = "10X98765432"


_ID_ZERO = ord("0") * sum(_ID_WEIGHTS)  # an ASCII digit's byte is its value plus ord("0")


def id_check_digit(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits (ASCII ones as bytes: an import checks one a row)."""
    if first17.isascii() and first17.isdigit():
        return _ID_CHECK[(sum(map(operator.mul, first17.encode(), _ID_WEIGHTS)) - _ID_ZERO) % 11]
    return _ID_CHECK[sum(map(operator.mul, map(int, first17), _ID_WEIGHTS)) % 11]


_ID_AS_NUMBER_TEXT = re.compile(r"^\d(\.\d+)?E\+?\d+$|^\d{15,18}\.0+$", re.IGNORECASE)  # 5.11321E+17, ….0


@lru_cache(maxsize=8192)  # an import checks each row's ID twice: as its cell, and as the new member's
def parse_id_number(value: object, field: str = L.FIELD_ID) -> str:
    """An 18-character 身份证号, folded (full-width, spaces, lowercase x) and verified.

    A number (an Excel cell not formatted as text: 5.11321E+17, its last digits lost) gets its own message.
    """
    if type(value) is str and len(value) == 18 and value.isascii() and _ID_FORM.fullmatch(value):
        text = value  # already in its folded form (17 ASCII digits and a digit or X): nothing to fold
    else:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            raise BadInput(L.ID_AS_NUMBER.format(field=field, value=shown(_as_typed(value))), L.ID_AS_NUMBER_HINT)
        text = _SPACES.sub("", normalize(value)).upper()
        if _ID_AS_NUMBER_TEXT.match(text):
            raise BadInput(L.ID_AS_NUMBER.format(field=field, value=shown(value)), L.ID_AS_NUMBER_HINT)
        if not _ID_FORM.fullmatch(text):
            raise BadInput(L.BAD_ID_FORM.format(field=field, value=shown(value)), L.ID_HINT)
    if id_check_digit(text[:17]) != text[17]:
        raise BadInput(L.BAD_ID_CHECK.format(field=field, value=shown(value)), L.ID_HINT)
    try:
        born = birth_date_from_id(text)
    except ValueError:
        raise BadInput(L.BAD_ID_BIRTH.format(field=field, value=shown(value)), L.ID_HINT) from None
    if born < FIRST_DATE or born > date.today():
        raise BadInput(L.ID_BIRTH_IMPLAUSIBLE.format(field=field, value=shown(value), born=born.isoformat()),
                       L.ID_HINT)
    return text


def _as_typed(number: int | float) -> str:
    """A number as Excel shows it in a narrow column: 5.11321E+17 (a reader turns a whole float into an int)."""
    return f"{float(number):.5E}" if abs(number) >= 1e11 else str(number)


def birth_date_from_id(id_number: str) -> date:
    """The birthday a 身份证号 encodes (digits 7–14, YYYYMMDD: ISO 8601's basic form when they are ASCII)."""
    if id_number.isascii():
        return date.fromisoformat(id_number[6:14])
    return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def gender_from_id(id_number: str) -> str:
    return L.MALE if int(id_number[16]) % 2 else L.FEMALE


def mask_id(id_number: str) -> str:
    """Hide the middle of a 身份证号: 330226********0015."""
    return id_number[:6] + "*" * 8 + id_number[14:] if len(id_number) == 18 else id_number


def mask_phone(phone: str) -> str:
    """Hide the middle of a phone number: 138****5678."""
    digits = phone or ""
    return digits[:3] + "****" + digits[-4:] if len(digits) >= 8 else digits


_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")
_PHONE_IN_TEXT = re.compile(r"(?<![0-9])1\d{10}(?![0-9])")


def mask_text(text: str) -> str:
    """Every 身份证号 and mobile number inside a text (an error message repeating a cell) hidden as mask_id and
    mask_phone hide them."""
    text = _ID_IN_TEXT.sub(lambda m: mask_id(m.group(0)), text)
    return _PHONE_IN_TEXT.sub(lambda m: mask_phone(m.group(0)), text)


# ---------------------------------------------------------------- phones, gender, choices


_PHONE_NOISE = re.compile(r"[\s\-()（）]")
_PHONE_COUNTRY = re.compile(r"^(\+?86)(?=1\d{10}$)")
_PHONE_FORM = re.compile(r"1[3-9]\d{9}|0\d{2,3}\d{7,8}")  # a mobile, or a landline with its area code


def parse_phone(value: object, field: str = L.FIELD_PHONE) -> str:
    """A mobile (11 digits from 1) or a landline (area code, 7–8 digits); +86, dashes and spaces folded."""
    if type(value) is str and len(value) <= 12 and value.isascii() and value.isdigit():
        text = value  # nothing to fold: no spaces or dashes, and too short to begin with 86 before a mobile
    else:
        text = _PHONE_COUNTRY.sub("", _PHONE_NOISE.sub("", normalize(value)))
    if _PHONE_FORM.fullmatch(text):
        return text
    raise BadInput(L.BAD_PHONE.format(field=field, value=shown(value)), L.PHONE_HINT)


def optional_phone(value: object, field: str = L.FIELD_PHONE) -> str | None:
    if value is None or fold(value) == "":
        return None
    return parse_phone(value, field)


def _chinese_names(choices: dict[str, str]) -> list[str]:
    """The choices as the clerk reads them: each stored value by its first Chinese spelling, if it has one."""
    names: dict[str, str] = {}
    for spelling, value in choices.items():
        if value not in names or not _is_chinese(names[value]) and _is_chinese(spelling):
            names[value] = spelling
    return list(names.values())


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in text)


def parse_choice(value: object, choices: dict[str, str], field: str) -> str:
    """One of a fixed set of values; choices maps every accepted spelling to the stored value."""
    text = fold(value)
    if text not in choices:
        text = normalize(value)
    if text in choices:
        return choices[text]
    allowed = "、".join(_chinese_names(choices))
    raise BadInput(L.BAD_CHOICE.format(field=field, value=shown(value), allowed=allowed))


# ---------------------------------------------------------------- destinations

class Destination(NamedTuple):
    """Where an away member is: province, city (a municipality is its own city) and the rest as written."""

    province: str
    city: str
    detail: str

    @property
    def placed(self) -> bool:
        """Whether the gazetteer knew the place: a destination not placed keeps the whole text as detail."""
        return bool(self.province)

    def __str__(self) -> str:
        parts = [self.province, self.city if self.city != self.province else "", self.detail]
        return " ".join(part for part in parts if part)


def parse_destination(value: object, field: str = L.FIELD_DESTINATION) -> Destination:
    """'浙江省 宁波市 详细地址', '广东深圳', '北京朝阳', '宁波市北仑区' into province, city and the rest.

    Placed by the table of China's divisions (flowparty.places, read on first use); a text it cannot place
    is kept whole as the detail (Destination.placed is then False), never emptied.
    """
    from flowparty.places import locate  # the table is read on the first destination, not at start-up

    text = re.sub(r"\s+", " ", fold(value))
    if not text:
        raise BadInput(L.EMPTY_FIELD.format(field=field))
    if len(text) > TEXT_MAX_CHARS:
        raise BadInput(L.TEXT_TOO_LONG.format(field=field, value=shown(text), length=len(text), limit=TEXT_MAX_CHARS))
    return Destination(*locate(text))


def unplaced(destinations) -> list[str]:
    """The destinations (as written) that could not be placed, each once, in order: for an import summary."""
    return list(dict.fromkeys(str(d) for d in destinations if not d.placed))


def unplaced_note(destinations) -> str | None:
    """The import summary's line naming the destinations kept as written (None when all were placed)."""
    names = unplaced(destinations)
    return L.IMPORT_UNPLACED.format(places="、".join(f"“{shown(n)}”" for n in names)) if names else None
