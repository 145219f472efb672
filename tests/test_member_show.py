"""member show (SPEC §9): every record of the member on one timeline, by date, voided rows marked with their
reason, readable at 80 columns without breaking a 身份证号, card number or date; --json keeps its keys and adds
`timeline`."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ids import make_id

LI = make_id("19850312", 3)
FLOWPARTY = str(Path(sys.prefix) / "bin" / "flowparty")


def ok(result):
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.fixture
def lived(cli, ledger):
    """李明: away, updated, carded and reviewed, checked in, paying, reporting, a voided report, corrected,
    returned and inspected."""
    for args in (
        ("member", "add", "--name", "李明", "--id", LI, "--joined", "2010-07-01", "--phone", "13800138000"),
        ("register-outflow", "李明", "--to", "浙江省 宁波市 北仑区某厂", "--reason", "务工", "--date", "2025-03-01",
         "--briefed", "--employer", "某厂"),
        ("issue-card", "李明", "--date", "2025-03-02"),
        ("check-in", "李明", "--org", "北仑区某厂党支部", "--date", "2025-03-20", "--verified"),
        ("update-outflow", "李明", "--to", "广东省 深圳市 宝安区", "--date", "2025-06-01"),
        ("record-dues", "李明", "--period", "2025-01..2025-06", "--amount", "60", "--date", "2025-07-02"),
        ("record-report", "李明", "--date", "2025-09-01", "--summary", "参加先锋岗"),
        ("record-report", "李明", "--date", "2025-09-02", "--summary", "重复的一条"),
        ("void", "report", "李明", "--date", "2025-09-02", "--reason", "重复登记"),
        ("record-contact", "李明", "--channel", "微信", "--date", "2025-10-15"),
        ("record-org-life", "李明", "--kind", "主题党日", "--where", "inflow", "--date", "2025-10-01"),
        ("review-card", "李明", "--date", "2026-02-01"),
        ("member", "edit", "李明", "--phone", "13900139000", "--reason", "电话录错"),
        ("return", "李明", "--date", "2026-03-01"),
        ("inspect-card", "李明", "--date", "2026-03-05"),
    ):
        ok(cli(*args))
    return ledger


def test_json_keeps_its_keys_and_adds_the_timeline(cli, lived):
    detail = json.loads(ok(cli("member", "show", "李明", "--json")))
    assert {"member", "outflows", "cards", "dues", "history"} <= set(detail)
    events = detail["timeline"]
    assert [e["date"] for e in events] == sorted(e["date"] for e in events)
    kinds = [e["kind"] for e in events]
    for kind in ("outflow", "card", "checkin", "outflow_change", "dues", "report", "contact", "org_life", "review",
                 "outflow_end", "inspection", "correction"):
        assert kind in kinds, kind
    [review] = [e for e in events if e["kind"] == "review"]
    assert review["date"] == "2026-02-01" and "330120250001" in review["text"]
    [inspection] = [e for e in events if e["kind"] == "inspection"]
    assert inspection["date"] == "2026-03-05"
    voided = [e for e in events if e["void_reason"]]
    assert [(e["kind"], e["date"], e["void_reason"]) for e in voided] == [
        ("card", "2025-03-02", "返回查验收回"), ("report", "2025-09-02", "重复登记")]  # the card taken back on return
    [dues] = [e for e in events if e["kind"] == "dues"]
    assert "2025-01..2025-06" in dues["text"] and "60.00元" in dues["text"]
    [correction] = [e for e in events if e["kind"] == "correction"]
    assert "13800138000" in correction["text"] and "13900139000" in correction["text"] and "电话录错" in correction["text"]
    [change] = [e for e in events if e["kind"] == "outflow_change"]
    assert "深圳市" in change["text"]
    [outflow] = [e for e in events if e["kind"] == "outflow"]
    assert "宁波市" in outflow["text"]  # the registration as registered, the update beside it


def test_the_timeline_reads_in_chinese_at_80_columns(lived):
    """The console script on an 80-column screen: one table, nothing wider, no value broken across lines."""
    run = subprocess.run([FLOWPARTY, "member", "show", "李明"], capture_output=True, text=True, timeout=30,
                         env={**os.environ, "FLOWPARTY_DB": str(lived), "COLUMNS": "80"})
    assert run.returncode == 0, run.stderr
    from rich.cells import cell_len

    lines = run.stdout.splitlines()
    assert max(cell_len(line) for line in lines) <= 80
    table = run.stdout.split("全部记录（按日期）", 1)[1]
    for text in ("外出登记", "发放活动证", "报到", "外出变更", "交纳党费", "活动证年审", "活动证查验", "更正", "外出结束",
                 "已作废：重复登记", "330120250001", "2025-01..2025-06", "13900139000", "北仑区某厂党支部"):
        assert text in table, text
    dates = re.findall(r"│ (\d{4}-\d{2}-\d{2}) │", table)
    assert dates == sorted(dates) and "2025-09-02" in dates
    assert "flowparty history " + LI in run.stdout


def test_a_member_with_no_records_yet(cli, ledger):
    ok(cli("member", "add", "--name", "李明", "--id", LI))
    detail = json.loads(ok(cli("member", "show", "李明", "--json")))
    assert detail["timeline"] == []
    assert "还没有任何记录" in ok(cli("member", "show", "李明"))


def test_a_voided_card_and_a_transfer_are_on_the_timeline(cli, lived):
    ok(cli("register-outflow", "李明", "--to", "浙江省 宁波市", "--reason", "务工", "--date", "2026-04-01", "--briefed"))
    ok(cli("issue-card", "李明", "--date", "2026-04-02"))
    ok(cli("void", "card", "李明", "--reason", "遗失", "--date", "2026-05-01"))
    ok(cli("transfer-out", "李明", "--to", "宁波市北仑区某党组织", "--date", "2026-06-01"))
    events = json.loads(ok(cli("member", "show", "李明", "--json")))["timeline"]
    [voided] = [e for e in events if e["kind"] == "card_voided"]
    assert voided["date"] == "2026-05-01" and "遗失" in voided["text"]
    assert [e["void_reason"] for e in events if e["kind"] == "card"] == ["返回查验收回", "遗失"]
    assert [e["date"] for e in events if e["kind"] == "transfer"] == ["2026-06-01"]


def test_history_is_one_block_per_command_at_80_columns(lived):
    """history at 80 columns: a head line per command, then its reason and changes as indented sentences."""
    run = subprocess.run([FLOWPARTY, "history", "李明", "--limit", "50"], capture_output=True, text=True, timeout=30,
                         env={**os.environ, "FLOWPARTY_DB": str(lived), "COLUMNS": "80"})
    assert run.returncode == 0, run.stderr
    from rich.cells import cell_len

    lines = run.stdout.splitlines()
    assert max(cell_len(line) for line in lines) <= 80
    heads = [line for line in lines if re.match(r"第 \d+ 条  \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}  ", line)]
    assert len(heads) == 15 and heads[0].endswith("inspect-card") and heads[-1].endswith("member add")
    assert "  原因：电话录错" in lines
    assert any(line.startswith("  · 变更党员信息：联系电话 13800138000 → 13900139000") for line in lines)
    assert LI in run.stdout and "┃" not in run.stdout  # the 身份证号 whole; no table
