"""党费标准: the 2008 rates in integer fen, the dues-standard command, and FP203's months paid below it."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flowparty import db, dues, records
from flowparty.errors import BadInput
from flowparty.parse import Month, parse_destination
from tests.ids import make_id

ZHANG = make_id(serial=1)


@pytest.mark.parametrize(("kind", "base", "expected"), [
    ("salary", 300_000, 1_500),      # 3000 元 → 0.5%
    ("salary", 300_001, 3_000),      # just above 3000 元 → 1% of the whole income
    ("salary", 420_000, 4_200),
    ("salary", 500_000, 5_000),
    ("salary", 500_100, 7_502),      # 5001 元 × 1.5% = 75.015 → 75.02 (half up)
    ("salary", 1_000_000, 15_000),
    ("salary", 1_000_001, 20_000),   # above 10000 元 → 2%
    ("pension", 500_000, 2_500),     # pension ≤ 5000 元 → 0.5%
    ("pension", 600_000, 6_000),     # above → 1%
    ("salary", 100, 1),              # never below one fen
])
def test_the_2008_rates_by_band(kind, base, expected):
    assert dues.monthly_standard(kind, base_fen=base) == expected


def test_fixed_kinds():
    assert dues.monthly_standard("student") == 20
    assert dues.monthly_standard("unemployed") == 20
    assert dues.monthly_standard("relief") == 20
    assert dues.monthly_standard("farmer") == 20
    assert dues.monthly_standard("farmer", monthly_fen=100) == 100
    assert dues.monthly_standard("fixed", monthly_fen=1234) == 1234
    for bad in (19, 101):
        with pytest.raises(BadInput, match="0.20 元至 1.00 元"):
            dues.monthly_standard("farmer", monthly_fen=bad)
    with pytest.raises(BadInput):
        dues.monthly_standard("salary")


@given(st.sampled_from(["salary", "pension"]), st.integers(1, 10_000_000), st.integers(1, 10_000_000))
def test_more_income_never_pays_less(kind, a, b):
    low, high = sorted((a, b))
    assert dues.monthly_standard(kind, base_fen=low) <= dues.monthly_standard(kind, base_fen=high)


@given(st.integers(1, 10_000_000))
def test_salary_standard_is_the_band_rate_of_the_whole_income(base):
    fen = dues.monthly_standard("salary", base_fen=base)
    rate = 5 if base <= 300_000 else 10 if base <= 500_000 else 15 if base <= 1_000_000 else 20
    assert abs(fen * 1000 - base * rate) <= 500 or fen == 1


@given(st.integers(1, 10_000_000))
def test_pension_rate_is_half_or_one_percent(base):
    fen = dues.monthly_standard("pension", base_fen=base)
    rate = 5 if base <= 500_000 else 10
    assert abs(fen * 1000 - base * rate) <= 500 or fen == 1


def _standards(path):
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT year, kind, base_fen, monthly_fen FROM dues_standards ORDER BY year").fetchall()
    finally:
        conn.close()


def test_dues_standard_command_sets_and_resets_with_history(cli, ledger):
    assert cli("member", "add", "--name", "张三", "--id", ZHANG).exit_code == 0
    result = cli("dues-standard", "张三", "--year", "2026", "--salary", "4200", "--date", "2026-01-05")
    assert result.exit_code == 0, result.stderr
    assert "42.00 元" in result.stdout and "1.0%" in result.stdout
    assert _standards(ledger) == [(2026, "salary", 420_000, 4_200)]
    result = cli("dues-standard", "张三", "--year", "2026", "--farmer", "--monthly", "0.50", "--date", "2026-02-01")
    assert result.exit_code == 0, result.stderr
    assert _standards(ledger) == [(2026, "farmer", None, 50)]
    conn = sqlite3.connect(ledger)
    old = conn.execute("SELECT old_values FROM history WHERE table_name = 'dues_standards' AND action = 'update'").fetchone()
    conn.close()
    assert '"monthly_fen": 4200' in old[0]


@pytest.mark.parametrize("args", [
    ("--salary", "4200", "--pension", "3000"),
    (),
    ("--student", "--monthly", "1"),
    ("--farmer", "--monthly", "2.00"),
    ("--salary", "abc"),
    ("--monthly", "0.5", "--year", "1800"),
])
def test_dues_standard_refuses_bad_input_and_writes_nothing(cli, ledger, unchanged, args):
    assert cli("member", "add", "--name", "张三", "--id", ZHANG).exit_code == 0
    with unchanged():
        result = cli("dues-standard", "张三", *args)
    assert result.exit_code == 2
    assert result.stderr.strip() and "Traceback" not in result.stderr


def test_underpaid_months_against_the_standard_in_force(cli, ledger):
    led = db.open_ledger(ledger)
    with led.transaction("test"):
        member_id = records.add_member(led, name="张三", id_number=ZHANG)
        member = led.get("members", member_id)
        records.register_outflow(led, member, destination=parse_destination("浙江省 宁波市"), reason="务工",
                                 left_on=date(2025, 1, 10))
        dues.set_standard(led, member, year=2025, kind="salary", base_fen=420_000, set_on=date(2025, 1, 1))
        records.record_dues(led, member, periods=[Month(2025, 1), Month(2025, 2)], amount_fen=8_400,
                            paid_on=date(2025, 2, 28))   # 42.00 each: at the standard
        records.record_dues(led, member, periods=[Month(2025, 3)], amount_fen=2_000, paid_on=date(2025, 3, 31))
        records.record_dues(led, member, periods=[Month(2025, 4)], amount_fen=100, paid_on=date(2025, 6, 1))
    found = dues.underpaid_months(led, date(2025, 5, 1))
    assert found == {member_id: [{"period": "2025-03", "paid_on": "2025-03-31", "paid_fen": 2_000, "standard_fen": 4_200}]}
    assert [m["period"] for m in dues.underpaid_months(led, date(2025, 12, 31))[member_id]] == ["2025-03", "2025-04"]
    led.close()


def _paying(ledger, amount_fen):
    """张三, away since January 2025 with a 42.00 standard, pays March 2025 with amount_fen."""
    led = db.open_ledger(ledger)
    with led.transaction("test"):
        member = led.get("members", records.add_member(led, name="张三", id_number=ZHANG))
        records.register_outflow(led, member, destination=parse_destination("浙江省 宁波市"), reason="务工",
                                 left_on=date(2025, 1, 10))
        dues.set_standard(led, member, year=2025, kind="salary", base_fen=420_000, set_on=date(2025, 1, 1))
        records.record_dues(led, member, periods=[Month(2025, 3)], amount_fen=amount_fen, paid_on=date(2025, 3, 31))
    led.close()


def test_fp203_paid_at_the_standard_is_clean(cli, ledger):
    _paying(ledger, 4_200)
    result = cli("audit", "--as-of", "2025-04-01", "--select", "FP203", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_fp203_a_month_paid_below_the_standard(cli, ledger):
    _paying(ledger, 2_000)
    assert json.loads(cli("audit", "--as-of", "2025-03-30", "--select", "FP203", "--json").stdout) == []
    result = cli("audit", "--as-of", "2025-04-01", "--select", "FP203", "--json", "--fail-on", "never")
    assert result.exit_code == 0, result.stderr
    [finding] = json.loads(result.stdout)
    assert (finding["code"], finding["severity"], finding["member"]["name"]) == ("FP203", "warning", "张三")
    assert finding["message"] == "2025-03 共 1 个月党费低于每月标准 42.00 元，合计少交 22.00 元。"
    assert finding["since"] == "2025-03-31"
