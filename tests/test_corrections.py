"""Putting records right (SPEC §7): each mistake a clerk makes, put right from the command line, leaves a fresh
whose audit on any date, exports and todo equal those of a fresh recorded right from the start; the history
shows every correction with its reason; undo takes back any command."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from flowparty import db, export, rules
from tests.ids import make_id

WANG = make_id(serial=1)
LI = make_id(serial=2, male=False)
TYPO = make_id(serial=3)
DAYS = (date(2025, 3, 15), date(2025, 6, 30), date(2025, 9, 1), date(2026, 1, 10), date(2026, 6, 1))


@pytest.fixture
def fresh(ledger_path):
    """The ledger file the test's commands use, not yet made (each test runs init itself)."""
    return ledger_path


def ok(result):
    assert result.exit_code == 0, result.stderr
    return result.stdout


def refused(result, *texts):
    assert result.exit_code == 2, (result.stdout, result.stderr)
    for text in texts:
        assert text in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    return result.stderr


def rows(path, sql, params=()):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def audit_of(path: Path) -> dict:
    """What every audit date, the exports and the annual statistics say: what must equal the right fresh's."""
    led = db.open_ledger(path, readonly=True)
    try:
        findings = {day: sorted((f.code, f.id_number, f.since, json.dumps(f.details, sort_keys=True))
                                for f in rules.run_audit(led, day) if f.code != "FP901")
                    for day in DAYS}
        sheets = {name: export.KINDS[name](led, date(2026, 6, 1)).rows for name in ("register", "dues", "reports")}
        todo = [(f.code, f.id_number, f.since) for f in rules.todo(led, date(2025, 6, 1), 90)]
    finally:
        led.close()
    return {"findings": findings, "sheets": sheets, "todo": todo}


def base(cli, wang_id=WANG):
    ok(cli("init", "--branch", "青山村党支部", "--committee", "青山镇党委", "--code", "3301", "--since", "2025-01",
           "--province", "四川省", "--city", "南充市"))
    ok(cli("member", "add", "--name", "王建国", "--id", wang_id, "--joined", "2010-07-01", "--phone", "13912345678"))
    ok(cli("register-outflow", "王建国", "--to", "浙江省 宁波市 北仑区", "--reason", "务工", "--date", "2025-02-01",
           "--phone", "13912345678", "--briefed"))
    ok(cli("issue-card", "王建国", "--date", "2025-02-03"))


def test_each_mistake_put_right_gives_the_ledger_recorded_right(cli, tmp_path, monkeypatch):
    right = tmp_path / "right.db"
    monkeypatch.setenv("FLOWPARTY_DB", str(right))
    base(cli)
    ok(cli("record-dues", "王建国", "--period", "2025-01..2025-03", "--amount", "30", "--date", "2025-03-05"))
    ok(cli("record-report", "王建国", "--date", "2025-04-01"))
    ok(cli("check-in", "王建国", "--org", "北仑区党工委", "--date", "2025-02-20", "--verified"))

    wrong = tmp_path / "wrong.db"
    monkeypatch.setenv("FLOWPARTY_DB", str(wrong))
    base(cli, TYPO)                                         # a mistyped 身份证号 (a valid one, of someone else)
    ok(cli("member", "edit", "王建国", "--id", WANG, "--reason", "身份证号录错"))
    ok(cli("record-dues", "王建国", "--period", "2025-01..2025-03", "--amount", "3000", "--date", "2025-03-05",
           "--force"))                                      # 100× too big
    ok(cli("void", "dues", "王建国", "--period", "2025-01..2025-03", "--reason", "金额多打两个零"))
    ok(cli("record-dues", "王建国", "--period", "2025-01..2025-03", "--amount", "30", "--date", "2025-03-05"))
    ok(cli("record-report", "王建国", "--date", "2025-04-01"))
    ok(cli("record-report", "王建国", "--date", "2025-05-01"))  # recorded on the wrong day ...
    ok(cli("void", "report", "王建国", "--date", "2025-05-01", "--reason", "重复登记"))
    ok(cli("check-in", "王建国", "--org", "北仑区党工委", "--date", "2025-02-20", "--verified"))
    ok(cli("return", "王建国", "--date", "2025-06-01"))     # a return recorded on the wrong person
    ok(cli("void", "return", "王建国", "--reason", "登记错了人"))
    assert audit_of(wrong) == audit_of(right)
    assert rows(wrong, "SELECT count(*) FROM dues") == [(6,)]  # the voided payments stay, marked
    assert rows(wrong, "SELECT count(*) FROM dues WHERE void_reason = '金额多打两个零'") == [(3,)]

    history = json.loads(ok(cli("history", "--json", "--limit", "50")))
    reasons = {c["command"]: c["reason"] for c in history if c["reason"]}
    assert reasons == {"member edit": "身份证号录错", "void dues": "金额多打两个零", "void report": "重复登记",
                       "void return": "登记错了人"}
    edit = next(c for c in history if c["command"] == "member edit")
    assert edit["changes"][0]["old"]["id_number"] == TYPO and edit["changes"][0]["new"]["id_number"] == WANG
    shown = ok(cli("history", "王建国"))
    assert "身份证号录错" in shown and "金额多打两个零" in shown


def test_a_dated_update_is_seen_from_its_date_a_correction_on_every_date(cli, fresh):
    base(cli)
    ok(cli("update-outflow", "王建国", "--to", "广东省 深圳市 南山区", "--date", "2025-08-01"))
    led = db.open_ledger(fresh, readonly=True)
    try:
        before = export.register(led, date(2025, 7, 1)).rows[0]
        after = export.register(led, date(2025, 9, 1)).rows[0]
    finally:
        led.close()
    assert "宁波市" in before and "深圳市" in after
    ok(cli("edit-outflow", "王建国", "--to", "浙江省 杭州市", "--reason", "登记时地点录错"))  # the registration
    led = db.open_ledger(fresh, readonly=True)
    try:
        assert "杭州市" in export.register(led, date(2025, 7, 1)).rows[0]
        assert "深圳市" in export.register(led, date(2025, 9, 1)).rows[0]  # the later update still stands
    finally:
        led.close()
    ok(cli("void", "update", "王建国", "--date", "2025-08-01", "--reason", "没有搬家"))
    led = db.open_ledger(fresh, readonly=True)
    try:
        assert "杭州市" in export.register(led, date(2025, 9, 1)).rows[0]
    finally:
        led.close()


def test_fixed_place_set_by_an_update_counts_from_its_date(cli, fresh):
    ok(cli("init", "--branch", "村", "--committee", "镇", "--since", "2025-01"))
    ok(cli("member", "add", "--name", "李梅", "--id", LI))
    ok(cli("register-outflow", "李梅", "--to", "浙江省 宁波市", "--reason", "务工", "--date", "2025-02-01",
           "--phone", "13800001111"))
    ok(cli("update-outflow", "李梅", "--fixed", "--date", "2025-09-01"))
    led = db.open_ledger(fresh, readonly=True)
    try:
        assert "FP401" not in {f.code for f in rules.run_audit(led, date(2025, 8, 15))}  # not yet at a fixed place
        assert "FP401" in {f.code for f in rules.run_audit(led, date(2025, 9, 2))}
    finally:
        led.close()


def test_card_reissue_and_loss(cli, fresh):
    base(cli)
    refused(cli("issue-card", "王建国", "--date", "2025-03-01"), "已持有有效的活动证", "--reissue")
    out = ok(cli("issue-card", "王建国", "--date", "2025-03-01", "--reissue"))
    assert "330120250001" in out and "已作废" in out
    ok(cli("void", "card", "王建国", "--reason", "遗失", "--date", "2025-04-01"))
    led = db.open_ledger(fresh, readonly=True)
    try:
        assert "FP101" not in {f.code for f in rules.run_audit(led, date(2025, 3, 31))}
        assert "FP101" in {f.code for f in rules.run_audit(led, date(2025, 4, 2))}  # 挂失: no card until a new one
    finally:
        led.close()
    refused(cli("void", "card", "王建国", "--reason", "丢了"), "遗失、损坏、收回、错发")


def test_a_back_dated_transfer_before_the_card_is_refused_naming_both(cli, fresh, unchanged):
    base(cli)
    with unchanged():
        refused(cli("transfer-out", "王建国", "--to", "某党委", "--date", "2025-02-02"), "2025-02-02", "2025-02-03")
        refused(cli("return", "王建国", "--date", "2025-02-02"), "返回日期", "活动证发放日期")
        refused(cli("check-in", "王建国", "--org", "某", "--date", "2025-01-20"), "外出日期")
        refused(cli("review-card", "王建国", "--date", "2025-02-02"), "活动证发放日期")
        refused(cli("record-dues", "王建国", "--period", "2010-01", "--amount", "1", "--date", "2009-01-01"),
                "入党日期")


def test_a_correction_that_contradicts_the_records_is_refused(cli, fresh, unchanged):
    base(cli)
    ok(cli("check-in", "王建国", "--org", "某党委", "--date", "2025-02-20"))
    with unchanged():
        refused(cli("edit-outflow", "王建国", "--left-on", "2025-03-01", "--reason", "日期录错"),
                "互相矛盾", "报到日期 2025-02-20 早于外出日期 2025-03-01")
        refused(cli("member", "edit", "王建国", "--name", "王建军"), "--reason")
        refused(cli("member", "edit", "王建国", "--id", "511302198002010112", "--reason", "x"), "校验位")
        refused(cli("void", "report", "王建国", "--date", "2025-03-01", "--reason", "x"), "没有可作废")


def test_fp901_names_the_record_and_the_command_that_corrects_it(cli, fresh):
    base(cli)
    conn = sqlite3.connect(fresh)
    conn.execute("UPDATE outflows SET ended_on = '2025-02-02', end_kind = 'transferred'")  # edited behind the tool
    conn.commit()
    conn.close()
    found = json.loads(cli("audit", "--as-of", "2025-03-01", "--select", "FP901", "--json").stdout)
    texts = [f["message"] + f["hint"] for f in found]
    assert any("王建国 的活动证 330120250001 的发放日期 2025-02-03 晚于本次外出的返回（转出）日期 2025-02-02" in t
               and "flowparty void card" in t for t in texts), texts
    assert not any("outflows" in t or "第 1 行" in t for t in texts)


def test_undo_takes_back_any_command_and_asks(cli, fresh):
    base(cli)
    ok(cli("record-contact", "王建国", "--date", "2025-03-01"))
    refused(cli("undo"), "--yes")                            # no terminal: it needs --yes
    out = ok(cli("undo", "--yes"))
    assert "record-contact" in out and "新增联系" in out
    assert rows(fresh, "SELECT count(*) FROM contacts") == [(0,)]
    ok(cli("undo", "--yes"))                                 # then the card
    assert rows(fresh, "SELECT count(*) FROM cards") == [(0,)]
    history = json.loads(ok(cli("history", "--json")))
    assert [c["command"] for c in history[:2]] == ["undo", "undo"]
    assert {c["command"] for c in history if c["undone_by"]} == {"issue-card", "record-contact"}


def test_undo_refuses_when_a_later_command_builds_on_it(cli, fresh, unchanged, tmp_path):
    import openpyxl

    base(cli)
    book = openpyxl.Workbook()
    book.active.append(["姓名", "身份证号", "汇报日期"])
    book.active.append(["王建国", WANG, "2025-03-01"])
    book.save(tmp_path / "汇报.xlsx")
    ok(cli("import", "reports", tmp_path / "汇报.xlsx"))
    ok(cli("record-contact", "王建国", "--date", "2025-03-02"))
    with unchanged():
        refused(cli("import", "undo"), "不能撤销", "record-contact")
    ok(cli("undo", "--yes"))                                 # the contact first
    ok(cli("import", "undo"))                                # then the import, through the same history
    assert rows(fresh, "SELECT count(*) FROM reports") == [(0,)]


def test_settings_show_and_change_with_history(cli, fresh):
    base(cli)
    shown = ok(cli("settings"))
    assert "汇报周期（月）" in shown and "活动证年审周期（月，FP102）" in shown
    refused(cli("settings", "set", "report_months", "7", "--reason", "x"), "6、12")
    refused(cli("settings", "set", "没有这项", "1", "--reason", "x"), "没有设置项")
    ok(cli("settings", "set", "汇报周期（月）", "6", "--reason", "村里要求每半年汇报"))
    assert rows(fresh, "SELECT value FROM settings WHERE key = 'report_months'") == [("6",)]
    assert "村里要求每半年汇报" in ok(cli("history"))
    ok(cli("undo", "--yes"))
    assert rows(fresh, "SELECT value FROM settings WHERE key = 'report_months'") == [("12",)]


def test_fp102_counts_from_the_since_month(cli, fresh):
    ok(cli("init", "--branch", "村", "--committee", "镇", "--since", "2025-06"))
    ok(cli("member", "add", "--name", "李梅", "--id", LI))
    ok(cli("register-outflow", "李梅", "--to", "浙江省 宁波市", "--reason", "务工", "--date", "2024-01-01",
           "--phone", "13800001111"))
    ok(cli("issue-card", "李梅", "--date", "2024-01-05"))
    led = db.open_ledger(fresh, readonly=True)
    try:
        assert "FP102" not in {f.code for f in rules.run_audit(led, date(2026, 6, 1))}
        assert "FP102" in {f.code for f in rules.run_audit(led, date(2026, 6, 2))}
    finally:
        led.close()


def test_the_installed_command_corrects_like_a_clerk(tmp_path):
    """The console script, in a subprocess: a mistake, its correction, undo without a terminal."""
    script = Path(sys.executable).with_name("flowparty")
    env = {**os.environ, "FLOWPARTY_DB": str(tmp_path / "l.db")}

    def run(*args):
        return subprocess.run([str(script), *args], env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)

    assert run("init", "--branch", "村", "--committee", "镇", "--since", "2025-01").returncode == 0
    assert run("member", "add", "--name", "王建国", "--id", TYPO).returncode == 0
    fixed = run("member", "edit", "王建国", "--id", WANG, "--name", "王建军", "--reason", "录错")
    assert fixed.returncode == 0 and "已更正 王建军" in fixed.stdout
    no = run("undo")
    assert no.returncode == 2 and "--yes" in no.stderr and "Traceback" not in no.stderr
    assert run("undo", "--yes").returncode == 0
    assert TYPO in run("member", "list", "--json").stdout


def test_member_list_at_80_columns_never_breaks_an_id(cli, fresh, monkeypatch):
    from flowparty import ui

    monkeypatch.setenv("COLUMNS", "80")
    base(cli)
    ui.out.cache_clear()  # the console reads the width when it is made
    try:
        out = ok(cli("member", "list"))
    finally:
        ui.out.cache_clear()
    assert WANG in out and "未显示" in out
    assert all(len(line) <= 80 for line in out.splitlines())


def test_a_failed_check_stops_writes_until_a_check_passes(cli, fresh):
    base(cli)
    db.mark_damaged(fresh, ["第 3 页损坏"])                    # what a failed `check` leaves beside the ledger
    blocked = cli("record-contact", "王建国", "--date", "2025-03-01")
    assert blocked.exit_code == 3 and "不能写入" in blocked.stderr
    assert cli("member", "list").exit_code == 0               # reading still works
    assert cli("check").exit_code == 0                         # the file is sound after all: the marker goes
    ok(cli("record-contact", "王建国", "--date", "2025-03-01"))


def test_audit_prints_a_summary_and_at_most_limit_findings_per_rule(cli, fresh):
    base(cli)
    ok(cli("member", "add", "--name", "李梅", "--id", LI))
    ok(cli("register-outflow", "李梅", "--to", "浙江省 宁波市", "--reason", "务工", "--date", "2025-02-01",
           "--phone", "13800001111"))
    ok(cli("member", "add", "--name", "张强", "--id", TYPO))
    ok(cli("register-outflow", "张强", "--to", "浙江省 宁波市", "--reason", "务工", "--date", "2025-02-01",
           "--phone", "13800001112"))
    limited = cli("audit", "--as-of", "2025-03-01", "--select", "FP101", "--limit", "1")
    assert "各规则问题数" in limited.stdout and "另有 1 个未列出" in limited.stdout
    assert sum(name in limited.stdout for name in ("李梅", "张强")) == 1
    everything = cli("audit", "--as-of", "2025-03-01", "--select", "FP101", "--all")
    assert "李梅" in everything.stdout and "张强" in everything.stdout and "未列出" not in everything.stdout


def test_member_find_and_close_candidates(cli, fresh):
    base(cli)
    found = ok(cli("member", "find", "建国"))
    assert WANG in found
    assert json.loads(ok(cli("member", "find", WANG[-6:], "--json")))[0]["name"] == "王建国"
    miss = refused(cli("member", "show", "王建"), "没有名为“王建”")
    assert "您是不是要找：王建国" in miss


def test_the_ledger_reads_well_in_other_tools(cli, fresh):
    """SQL views with Chinese column names: the roster, the 登记簿 as updated, the live dues."""
    base(cli)
    ok(cli("update-outflow", "王建国", "--to", "广东省 深圳市", "--date", "2025-05-01"))
    ok(cli("record-dues", "王建国", "--period", "2025-01", "--amount", "5", "--date", "2025-02-05"))
    ok(cli("record-dues", "王建国", "--period", "2025-02", "--amount", "5", "--date", "2025-02-05"))
    ok(cli("void", "dues", "王建国", "--period", "2025-02", "--reason", "重复"))
    assert rows(fresh, "SELECT 姓名, 类别, 状态 FROM 党员名册") == [("王建国", "正式党员", "外出")]
    assert rows(fresh, "SELECT 省, 市, 活动证编号, 状态 FROM 外出流动党员登记簿") == [("广东省", "深圳市", "330120250001", "外出")]
    assert rows(fresh, "SELECT 所属期, 金额（元） FROM 党费交纳记录") == [("2025-01", 5.0)]


def test_dated_updates_survive_export_all_and_import_all(cli, fresh, tmp_path, monkeypatch):
    import openpyxl

    base(cli)
    ok(cli("update-outflow", "王建国", "--to", "广东省 深圳市 南山区", "--phone", "13700001111", "--date", "2025-05-01"))
    ok(cli("update-outflow", "王建国", "--fixed", "--date", "2025-06-01"))
    ok(cli("export", "all", "--xlsx", tmp_path / "a.xlsx"))
    copy = tmp_path / "copy.db"
    monkeypatch.setenv("FLOWPARTY_DB", str(copy))
    ok(cli("init", "--branch", "x", "--committee", "y"))
    ok(cli("import", "all", tmp_path / "a.xlsx"))
    ok(cli("check"))  # else the copy's audit (in the findings sheet) asks for a check after the import: FP901
    ok(cli("export", "all", "--xlsx", tmp_path / "b.xlsx"))
    a, b = openpyxl.load_workbook(tmp_path / "a.xlsx"), openpyxl.load_workbook(tmp_path / "b.xlsx")
    assert "外出变更" in a.sheetnames
    for name in a.sheetnames:
        assert [[c.value for c in r] for r in a[name].iter_rows()] == [[c.value for c in r] for r in b[name].iter_rows()]
    assert audit_of(copy)["findings"] == audit_of(fresh)["findings"]
    assert rows(copy, "SELECT city, phone, fixed_place FROM outflows") == [("宁波市", "13912345678", 0)]  # as registered
