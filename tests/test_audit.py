"""The audit, rules and todo commands as the clerk and scripts see them; the month arithmetic under them."""

from __future__ import annotations

import json
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from flowparty import labels as L
from flowparty.asof import add_months, falls_due_on, last_due_month
from flowparty.parse import Month, month_range
from flowparty.rules import REGISTRY
from tests.ids import make_id

ZHANG = make_id(serial=1)
LI = make_id(serial=2, birth="19850505")


def away_without_dues(cli, ledger):
    """张三 away since February 2025 with a card and nothing else; 李四 at home."""
    assert cli("member", "add", "--name", "张三", "--id", ZHANG, "--phone", "13800000000").exit_code == 0
    assert cli("member", "add", "--name", "李四", "--id", LI).exit_code == 0
    assert cli("register-outflow", "张三", "--to", "浙江省 宁波市 鄞州区", "--reason", "务工", "--date", "2025-02-10").exit_code == 0
    assert cli("issue-card", "张三", "--date", "2025-02-10").exit_code == 0


def test_audit_table_reads_in_chinese_grouped_by_member(cli, ledger):
    away_without_dues(cli, ledger)
    result = cli("audit", "--as-of", "2025-06-01")
    assert result.exit_code == 0  # warnings only: FP104 and FP201
    assert "张三" in result.stdout and "领证后未报到" in result.stdout and "请" in result.stdout
    assert "未交党费" in result.stdout and "2025-05-01" in result.stdout   # FP201 since the day it began
    assert "共发现 2 个问题，涉及 1 名党员" in result.stdout
    assert "李四" not in result.stdout


def test_audit_json_shape(cli, ledger):
    away_without_dues(cli, ledger)
    result = cli("audit", "--as-of", "2025-06-01", "--json")
    findings = json.loads(result.stdout)
    assert [f["code"] for f in findings] == ["FP104", "FP201"]
    first = findings[0]
    assert set(first) >= {"code", "name", "severity", "member", "message", "details"}
    assert first["member"] == {"id_number": ZHANG, "name": "张三"}
    assert first["name"] == "checkin-missing" and first["severity"] == "warning"
    assert first["details"] == {"issued_on": "2025-02-10", "days": 30}


def test_audit_json_for_a_program_is_jsons_own_compact_text(cli, ledger):
    """The findings are written from per-rule pieces: the text must be exactly what json.dumps would write."""
    away_without_dues(cli, ledger)
    out = cli("audit", "--as-of", "2025-09-01", "--json", "--fail-on", "never").stdout
    assert len(json.loads(out)) >= 2
    assert out == json.dumps(json.loads(out), ensure_ascii=False, separators=(",", ":")) + "\n"
    assert cli("audit", "--as-of", "2025-09-01", "--json", "--select", "FP6").stdout == "[]\n"


def test_fail_on_sets_the_exit_code(cli, ledger):
    away_without_dues(cli, ledger)
    assert cli("audit", "--as-of", "2025-06-01").exit_code == 0
    assert cli("audit", "--as-of", "2025-06-01", "--fail-on", "warning").exit_code == 1
    assert cli("audit", "--as-of", "2025-09-01").exit_code == 1          # FP202: an error
    assert cli("audit", "--as-of", "2025-09-01", "--fail-on", "never").exit_code == 0
    result = cli("audit", "--fail-on", "sometimes")
    assert result.exit_code == 2 and "--fail-on" in result.stderr


def test_select_and_ignore_by_code_prefix_and_name(cli, ledger):
    away_without_dues(cli, ledger)

    def found(*args):
        result = cli("audit", "--as-of", "2025-09-01", "--json", "--fail-on", "never", *args)
        return [f["code"] for f in json.loads(result.stdout)]

    everything = found()
    assert {"FP104", "FP202", "FP302", "FP303"} <= set(everything)
    assert found("--select", "FP2") == ["FP202"]
    assert found("--select", "dues-six-months,checkin-missing") == ["FP202", "FP104"]
    assert found("--select", "FP2", "--ignore", "fp202") == []                 # ignore wins
    assert "FP104" not in found("--ignore", "FP1")
    result = cli("audit", "--select", "FP999")
    assert result.exit_code == 2 and "FP999" in result.stderr


def test_statistics(cli, ledger):
    away_without_dues(cli, ledger)
    result = cli("audit", "--as-of", "2025-09-01", "--statistics", "--json", "--fail-on", "never")
    counts = json.loads(result.stdout)
    assert counts["FP202"] == 1 and "FP201" not in counts
    table = cli("audit", "--as-of", "2025-09-01", "--statistics", "--fail-on", "never")
    assert "连续六个月以上未交党费" in table.stdout


def test_a_clean_ledger(cli, ledger):
    result = cli("audit", "--fail-on", "info")
    assert result.exit_code == 0 and "未发现问题" in result.stdout


def test_audit_on_a_missing_ledger_exits_3(cli):
    assert cli("audit").exit_code == 3


def test_rules_lists_every_rule_with_its_source(cli):
    result = cli("rules", "--json")
    catalogue = json.loads(result.stdout)
    assert [r["code"] for r in catalogue] == list(REGISTRY)
    assert all(r["source"] for r in catalogue)
    assert {r["code"]: r["threshold"] for r in catalogue}["FP301"] == 12
    assert catalogue[0]["name"] == "card-missing"  # the slug stays in JSON and for --select; the screen is Chinese
    assert L.RULE_TEXT["FP202"]["title"] in cli("rules").stdout


def test_rules_show_the_ledgers_own_thresholds(cli, ledger_path):
    cli("init", "--branch", "青山村党支部", "--committee", "青山镇党委", "--report-months", "6")
    catalogue = json.loads(cli("rules", "--json").stdout)
    assert {r["code"]: r["threshold"] for r in catalogue}["FP301"] == 6


def test_rules_explain_quotes_the_source(cli):
    result = cli("rules", "explain", "FP102")
    assert result.exit_code == 0
    assert "每年审核一次" in result.stdout and "card_review_months" in result.stdout
    by_name = cli("rules", "explain", "dues-six-months")
    assert "党章 第九条" in by_name.stdout
    for code in REGISTRY:
        assert cli("rules", "explain", code.lower()).exit_code == 0
    unknown = cli("rules", "explain", "FP999")
    assert unknown.exit_code == 2 and "FP999" in unknown.stderr


def test_todo_command(cli, ledger):
    assert cli("todo").exit_code == 0
    assert cli("todo", "--days", "0").exit_code == 2


# ---------------------------------------------------------------- month arithmetic

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
months = st.builds(Month, st.integers(2000, 2099), st.integers(1, 12))


@given(days, st.integers(-120, 120))
def test_add_months_keeps_the_day_or_clamps_to_the_month_end(day, n):
    moved = add_months(day, n)
    assert Month.of(moved) == Month.of(day).plus(n)
    assert moved.day == day.day or moved == Month.of(moved).last_day and moved.day < day.day


@given(days)
def test_a_month_is_due_from_the_first_day_after_it(day):
    last = last_due_month(day)
    assert last == Month.of(day).plus(-1)
    assert falls_due_on(last) <= day < falls_due_on(last.plus(1))


@given(days)
def test_a_quarter_is_due_when_it_ends(day):
    last = last_due_month(day, quarterly=True)
    assert last.month % 3 == 0 and last < Month.of(day) and Month.of(day).index - last.index <= 3
    for month in month_range(last.plus(-2), last.plus(3)):
        assert (falls_due_on(month, True) <= day) == (month <= last)


@given(months)
def test_the_three_months_of_a_quarter_fall_due_together(month):
    first = month.plus(-((month.month - 1) % 3))
    assert {falls_due_on(m, True) for m in month_range(first, first.plus(2))} == {falls_due_on(first.plus(2))}
    assert falls_due_on(first.plus(2), True) - timedelta(days=1) == first.plus(2).last_day


def test_the_table_names_ten_members_of_a_city_and_json_names_them_all(cli, ledger):
    for serial in range(12):
        name = f"党员{serial:02d}"
        assert cli("member", "add", "--name", name, "--id", make_id(serial=serial + 10)).exit_code == 0
        assert cli("register-outflow", name, "--to", "浙江省 宁波市", "--reason", "务工",
                   "--date", f"2025-02-{serial + 10}").exit_code == 0
    table = cli("audit", "--as-of", "2025-03-01", "--select", "FP402").stdout
    assert "党员09" in table and "党员10" not in table and "另有 2 人" in table
    [found] = json.loads(cli("audit", "--as-of", "2025-03-01", "--select", "FP402", "--json").stdout)
    assert found["details"]["count"] == 12 and "党员11" in found["message"] and "党员11" in found["details"]["names"]


def test_a_municipality_is_named_once(cli, ledger):
    for serial in range(3):
        name = f"党员{serial:02d}"
        assert cli("member", "add", "--name", name, "--id", make_id(serial=serial + 10)).exit_code == 0
        assert cli("register-outflow", name, "--to", "上海市 浦东新区", "--reason", "务工",
                   "--date", "2025-02-10").exit_code == 0
    [found] = json.loads(cli("audit", "--as-of", "2025-03-01", "--select", "FP402", "--json").stdout)
    assert found["message"].startswith("上海市 有 3 名正式党员外出")
    assert (found["details"]["province"], found["details"]["city"], found["details"]["place"]) == ("上海市",) * 3
    assert "上海市上海市" not in cli("audit", "--as-of", "2025-03-01", "--select", "FP402").stdout


def test_a_list_of_names_too_long_for_an_excel_cell_is_cut_saying_how_many_more(tmp_path):
    """A township's biggest city names over ten thousand members: Excel holds 32,767 characters a cell."""
    from python_calamine import CalamineWorkbook

    from flowparty import export
    from flowparty.rules import Finding

    names = [f"党员{i:05d}" for i in range(12_000)]
    found = Finding("FP402", "group-missing", "info", None, None, None, date(2025, 3, 1),
                    {"city": "上海市", "province": "上海市", "place": "上海市", "count": len(names),
                     "names": "、".join(names)})
    path = tmp_path / "问题.xlsx"
    export.write_xlsx(path, [export.findings_sheet([found])])
    header, row = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    message = row[header.index(L.EXPORT_HEADERS["findings"][5])]
    assert 32_000 < len(message) <= 32_767
    shown = message.split("（", 1)[1].split("等，")[0].split("、")
    assert shown == names[:len(shown)]  # whole names, in order
    assert message.endswith(f"等，另有 {len(names) - len(shown)} 人，一个单元格放不下，全部名单见 audit --json），没有临时党小组。")
