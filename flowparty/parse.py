"""Parsing of the values a clerk types or a spreadsheet holds: dates, months, periods, money, IDs, phones.

One module for the command line and the importers, so a value means the same wherever it is typed.
Every parser raises BadInput naming the field and the value.
"""

from __future__ import annotations

import calendar
import operator
import re
import unicodedata
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import NamedTuple

from flowparty import labels as L
from flowparty.errors import BadInput


def fold(text: object) -> str:
    """Fold full-width digits, letters and spaces to their plain forms and trim the ends."""
    text = str(text)
    return text.strip() if text.isascii() else unicodedata.normalize("NFKC", text).strip()


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


def parse_date(value: object, field: str) -> date:
    """A date in any form of SPEC §4; a date or datetime passes through."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    serial = excel_serial(value)
    if serial:
        return serial
    text = fold(value)
    text = _TIME_OF_DAY.sub("", text)  # a time of day typed after the date
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            year, month, day = (int(part) for part in match.groups())
            try:
                return date(year, month, day)
            except ValueError:
                break
    raise BadInput(L.BAD_DATE.format(field=field, value=shown(value)), L.DATE_FORMS)


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
    return _EXCEL_EPOCH + timedelta(days=int(value))


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
    if isinstance(value, (date, datetime)):
        return Month.of(value)
    text = fold(value)
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
    if isinstance(value, (date, datetime)):
        return [Month.of(value)]
    text = fold(value)
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

_AMOUNT = re.compile(r"^(?:¥|￥|RMB)?\s*(\d+(?:\.\d{1,2})?)\s*(?:元)?$", re.IGNORECASE)


def parse_amount(value: object, field: str = L.FIELD_AMOUNT) -> int:
    """An amount in yuan (36, 36.5, 36.00, 6.00元, ¥6) as integer fen; it must be above zero."""
    if isinstance(value, bool):
        raise BadInput(L.BAD_AMOUNT.format(field=field, value=shown(value)))
    if isinstance(value, (int, float, Decimal)):
        text = str(Decimal(str(value)).normalize())
        if "E" in text:
            text = f"{Decimal(str(value)):f}"
    else:
        text = fold(value).replace(",", "")
    match = _AMOUNT.match(text)
    if not match:
        raise BadInput(L.BAD_AMOUNT.format(field=field, value=shown(value)), L.AMOUNT_FORMS)
    try:
        fen = int(Decimal(match.group(1)) * 100)
    except InvalidOperation:  # pragma: no cover - the pattern admits only plain decimals
        raise BadInput(L.BAD_AMOUNT.format(field=field, value=shown(value)), L.AMOUNT_FORMS) from None
    if fen <= 0:
        raise BadInput(L.AMOUNT_NOT_POSITIVE.format(field=field, value=shown(value)))
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


def id_check_digit(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits."""
    return _ID_CHECK[sum(map(operator.mul, map(int, first17), _ID_WEIGHTS)) % 11]


@lru_cache(maxsize=8192)  # an import checks each row's ID twice: as its cell, and as the new member's
def parse_id_number(value: object, field: str = L.FIELD_ID) -> str:
    """An 18-character 身份证号, folded (full-width, spaces, lowercase x) and verified."""
    text = _SPACES.sub("", fold(value)).upper()
    if not _ID_FORM.fullmatch(text):
        raise BadInput(L.BAD_ID_FORM.format(field=field, value=shown(value)), L.ID_HINT)
    if id_check_digit(text[:17]) != text[17]:
        raise BadInput(L.BAD_ID_CHECK.format(field=field, value=shown(value)), L.ID_HINT)
    try:
        birth_date_from_id(text)
    except ValueError:
        raise BadInput(L.BAD_ID_BIRTH.format(field=field, value=shown(value)), L.ID_HINT) from None
    return text


def birth_date_from_id(id_number: str) -> date:
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


# ---------------------------------------------------------------- phones, gender, choices


_PHONE_NOISE = re.compile(r"[\s\-()（）]")
_PHONE_COUNTRY = re.compile(r"^(\+?86)(?=1\d{10}$)")
_PHONE_FORM = re.compile(r"1[3-9]\d{9}|0\d{2,3}\d{7,8}")  # a mobile, or a landline with its area code


def parse_phone(value: object, field: str = L.FIELD_PHONE) -> str:
    """A mobile (11 digits from 1) or a landline (area code, 7–8 digits); +86, dashes and spaces folded."""
    text = _PHONE_NOISE.sub("", fold(value))
    text = _PHONE_COUNTRY.sub("", text)
    if _PHONE_FORM.fullmatch(text):
        return text
    raise BadInput(L.BAD_PHONE.format(field=field, value=shown(value)), L.PHONE_HINT)


def optional_phone(value: object, field: str = L.FIELD_PHONE) -> str | None:
    if value is None or fold(value) == "":
        return None
    return parse_phone(value, field)


def parse_choice(value: object, choices: dict[str, str], field: str) -> str:
    """One of a fixed set of values; choices maps every accepted spelling to the stored value."""
    text = fold(value)
    if text in choices:
        return choices[text]
    allowed = "、".join(dict.fromkeys(choices.values()))
    raise BadInput(L.BAD_CHOICE.format(field=field, value=shown(value), allowed=allowed))


# ---------------------------------------------------------------- destinations

_MUNICIPALITIES = ("北京市", "上海市", "天津市", "重庆市", "香港特别行政区", "澳门特别行政区")
_PROVINCE = re.compile(r"^(.+?(?:省|自治区|特别行政区))")
_CITY = re.compile(r"^(.+?(?:市|自治州|州(?!市)|地区|盟))")  # 杭州市 is a 市, not 杭州 + 市


class Destination(NamedTuple):
    province: str
    city: str
    detail: str

    def __str__(self) -> str:
        return " ".join(part for part in self if part)


def parse_destination(value: object, field: str = L.FIELD_DESTINATION) -> Destination:
    """'浙江省 宁波市 详细地址' (spaces optional) into province, city and the rest."""
    text = re.sub(r"\s+", " ", fold(value))
    if not text:
        raise BadInput(L.EMPTY_FIELD.format(field=field))
    compact = text.replace(" ", "")
    for municipality in _MUNICIPALITIES:
        if compact.startswith(municipality):
            return Destination(municipality, municipality, _rest(text, municipality))
    province_match = _PROVINCE.match(compact)
    if province_match:
        province = province_match.group(1)
        rest = _rest(text, province)
        city_match = _CITY.match(rest.replace(" ", ""))
        if city_match:
            city = city_match.group(1)
            return Destination(province, city, _rest(rest, city))
        return Destination(province, "", rest)
    parts = text.split(" ", 2)
    if len(parts) >= 2:
        return Destination(parts[0], parts[1], parts[2] if len(parts) == 3 else "")
    return Destination("", "", text)


def _rest(text: str, prefix: str) -> str:
    """What follows prefix in text, where text may hold spaces that prefix does not."""
    consumed, position = 0, 0
    while consumed < len(prefix) and position < len(text):
        if text[position] != " ":
            consumed += 1
        position += 1
    return text[position:].strip()
