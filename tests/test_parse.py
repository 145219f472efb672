"""Property tests for parse.py: the parsers every command and import relies on."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

from flowparty import parse
from flowparty.errors import BadInput

DATES = st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31))


def forms(d: date) -> list[str]:
    return [d.isoformat(), f"{d.year}/{d.month}/{d.day}", f"{d.year}.{d.month}.{d.day}", d.strftime("%Y%m%d"),
            f"{d.year}年{d.month}月{d.day}日", f"{d.year}-{d.month}-{d.day}", f"{d.year}/{d.month:02d}/{d.day:02d}"]


@given(DATES)
def test_dates_round_trip_in_every_form(d):
    for text in forms(d):
        assert parse.parse_date(text, "日期") == d, text


@pytest.mark.parametrize("bad", ["2026-02-30", "2025-02-29", "2026-13-01", "2026-00-10", "20260230", "2026年2月30日",
                                 "", "昨天", "2026-1"])
def test_impossible_dates_refused(bad):
    with pytest.raises(BadInput) as caught:
        parse.parse_date(bad, "外出日期")
    assert "外出日期" in caught.value.message


@st.composite
def valid_ids(draw):
    birth = draw(st.dates(min_value=date(1920, 1, 1), max_value=date(2010, 12, 31)))
    area = draw(st.from_regex(r"[1-6][0-9]{5}", fullmatch=True))
    serial = draw(st.integers(0, 999))
    first17 = f"{area}{birth:%Y%m%d}{serial:03d}"
    return first17 + parse.id_check_digit(first17), birth


@given(valid_ids())
def test_valid_ids_accepted_and_birth_read(pair):
    id_number, birth = pair
    assert parse.parse_id_number(id_number) == id_number
    assert parse.parse_id_number(id_number.lower()) == id_number
    assert parse.birth_date_from_id(id_number) == birth


@given(valid_ids(), st.integers(0, 17), st.integers(1, 9))
def test_any_single_digit_change_rejected(pair, position, delta):
    id_number, _ = pair
    if position == 17:
        options = "0123456789X"
        new = options[(options.index(id_number[17]) + delta) % 11]
    else:
        new = str((int(id_number[position]) + delta) % 10)
    changed = id_number[:position] + new + id_number[position + 1:]
    with pytest.raises(BadInput):
        parse.parse_id_number(changed)


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999999.99"), places=2))
def test_amount_to_fen(amount):
    expected = int(amount * 100)
    assert parse.parse_amount(f"{amount:f}") == expected
    assert parse.parse_amount(f"{amount:f}元") == expected
    assert parse.parse_amount(amount) == expected
    assert parse.format_fen(expected) == f"{amount:.2f}"


@pytest.mark.parametrize("bad", ["abc", "-5", "0", "0.00", "1.234", "", "1..2", "5元元"])
def test_bad_amounts_refused(bad):
    with pytest.raises(BadInput):
        parse.parse_amount(bad)


@given(st.integers(1, 10**9), st.integers(1, 240))
def test_split_fen_exact(total, parts):
    shares = parse.split_fen(total, parts)
    assert len(shares) == parts and sum(shares) == total
    assert max(shares) - min(shares) <= 1
    assert shares == sorted(shares, reverse=True)


def test_split_fen_example():
    assert parse.split_fen(1000, 3) == [334, 333, 333]


MONTHS = st.builds(parse.Month, st.integers(1990, 2090), st.integers(1, 12))


@given(MONTHS, st.integers(0, 35))
def test_ranges_give_consecutive_months(first, span):
    last = first.plus(span)
    months = parse.parse_periods(f"{first}..{last}")
    assert months[0] == first and months[-1] == last and len(months) == span + 1
    assert all(b.index - a.index == 1 for a, b in zip(months, months[1:]))


@given(st.integers(1990, 2090), st.integers(1, 4))
def test_quarters_give_three_consecutive_months(year, quarter):
    months = parse.parse_periods(f"{year}-Q{quarter}")
    assert months == [parse.Month(year, 3 * quarter - 2), parse.Month(year, 3 * quarter - 1),
                      parse.Month(year, 3 * quarter)]


@pytest.mark.parametrize("bad", ["2026-13", "2026-06..2026-01", "2026-Q5", "2026-Q0", "abc", "2026-00"])
def test_bad_periods_refused(bad):
    with pytest.raises(BadInput):
        parse.parse_periods(bad)


# a city is placed within its own province (四川省深圳市 places only the province: see tests/test_places.py)
PLACES = st.sampled_from([("浙江省", "宁波市"), ("广东省", "深圳市"), ("四川省", "成都市"), ("内蒙古自治区", "呼和浩特市"),
                          ("广西壮族自治区", "南宁市"), ("新疆维吾尔自治区", "阿克苏地区"), ("四川省", "凉山彝族自治州")])
DETAILS = st.text(alphabet="北仑区某厂路号栋123ABC", min_size=0, max_size=12)


@given(PLACES, DETAILS, st.sampled_from([" ", "", "  "]))
def test_destination_province_city_detail(place, detail, gap):
    province, city = place
    text = f"{province}{gap}{city}{gap}{detail}".strip()
    assert parse.parse_destination(text) == parse.Destination(province, city, detail.strip())


@pytest.mark.parametrize("text, expected", [
    ("北京市 朝阳区 某路", ("北京市", "北京市", "朝阳区 某路")),
    ("上海市浦东新区", ("上海市", "上海市", "浦东新区")),
    ("浙江省 宁波市", ("浙江省", "宁波市", "")),
])
def test_destination_examples(text, expected):
    assert tuple(parse.parse_destination(text)) == expected


def test_an_error_repeats_a_huge_value_cut_short():
    import pytest

    from flowparty.errors import BadInput
    from flowparty.parse import SHOWN_CHARS, parse_date

    with pytest.raises(BadInput) as refused:
        parse_date("9" * 30_000, "外出日期")
    assert "9" * SHOWN_CHARS + "…" in refused.value.message
    assert len(refused.value.message) < SHOWN_CHARS + 40
