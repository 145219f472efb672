"""The bulk import checks each row against the ledger AND the rows before it in the same file."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from openpyxl import Workbook

from tests.ids import make_id


def _sheet(path: Path, rows: list[list[object]]) -> Path:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return path


def _rows(path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


HEAD = ["姓名", "身份证号", "外出时间", "流入地", "外出原因"]


def test_a_member_twice_in_one_file_is_one_member(cli, ledger, tmp_path):
    path = _sheet(tmp_path / "r.xlsx", [
        HEAD,
        ["张伟", make_id(serial=1), "2024-03-01", "浙江省宁波市", "务工"],
        ["张伟", make_id(serial=1), "2024-03-01", "浙江省宁波市", "务工"],  # the same outflow again
        ["张三", make_id(serial=1), "2024-05-01", "浙江省宁波市", "务工"],  # the same 身份证号, another name
        ["张伟", make_id(serial=1), "2024-06-01", "浙江省杭州市", "务工"],  # a second outflow while away
    ])
    result = cli("import", "outflows", path, "--skip-invalid")
    assert result.exit_code == 0, result.stderr
    message = result.stderr.replace("\n", "")
    assert "第 4 行“姓名”列（张三）" in message and "登记为“张伟”" in message
    assert "第 5 行：张伟 已登记外出，尚未返回" in message
    assert "新增 1 行，已在台账中 1 行，跳过有错误的 2 行" in result.stdout.replace("\n", "")
    assert _rows(ledger, "SELECT name, status FROM members") == [("张伟", "away")]
    assert _rows(ledger, "SELECT left_on FROM outflows") == [("2024-03-01",)]


def test_members_on_the_roster_leave_and_the_batch_lands_in_history(cli, ledger, tmp_path):
    assert cli("member", "add", "--name", "李娜", "--id", make_id(serial=2, male=False)).exit_code == 0
    path = _sheet(tmp_path / "r.xlsx", [
        HEAD,
        ["李娜", make_id(serial=2, male=False), "2024-03-01", "上海市", "经商"],
        ["王强", make_id(serial=3), "2024-03-02", "广东省深圳市", "务工"],
    ])
    result = cli("import", "outflows", path)
    assert result.exit_code == 0, result.stderr
    assert _rows(ledger, "SELECT name, status FROM members ORDER BY id") == [("李娜", "away"), ("王强", "away")]
    # the inserts are one entry for the batch, each row carrying its id; the update keeps old and new values
    history = _rows(ledger, "SELECT table_name, action, old_values, new_values FROM history WHERE batch_id = 1"
                            " ORDER BY id")
    assert [row[:3] for row in history] == [("members", "update", '{"status": "home"}'),
                                            ("import_batches", "insert", None)]
    batch = json.loads(history[1][3])
    assert (batch["id"], batch["file_name"], batch["rows_added"]) == (1, "r.xlsx", 2)
    assert batch["inserted"] == {"members": 1, "outflows": 2}
    assert _rows(ledger, "SELECT batch_id FROM members ORDER BY id") == [(None,), (1,)]
    assert _rows(ledger, "SELECT DISTINCT batch_id FROM outflows") == [(1,)]
    shown = cli("history").stdout.replace("\n", "")
    assert "导入批次 1（r.xlsx）新增 3 条（党员信息 1、外出登记 2）" in shown and "状态 在家 → 外出" in shown
    assert cli("import", "undo").exit_code == 0
    assert _rows(ledger, "SELECT name, status FROM members") == [("李娜", "home")]
    assert _rows(ledger, "SELECT count(*) FROM outflows") == [(0,)]


def test_a_batch_entry_reads_like_row_history_in_a_members_history_and_undo(cli, ledger, tmp_path, unchanged):
    path = _sheet(tmp_path / "登记簿.xlsx", [
        HEAD, ["王强", make_id(serial=3), "2024-03-02", "广东省深圳市", "务工"],
        ["李娜", make_id(serial=2, male=False), "2024-03-01", "上海市", "经商"]])
    assert cli("import", "outflows", path).exit_code == 0
    line = "导入批次 1（登记簿.xlsx）新增 4 条（党员信息 2、外出登记 2）"
    assert line in cli("history", "王强").stdout.replace("\n", "")
    mine = json.loads(cli("history", "王强", "--json").stdout)
    assert [(c["command"], c["rows"], [e["table"] for e in c["changes"]]) for c in mine] == \
        [("import outflows", 1, ["import_batches"])]
    assert json.loads(cli("history", "--json").stdout)[0]["rows"] == 5  # the batch and the 4 rows it added
    assert cli("record-contact", "李娜", "--date", "2024-05-01").exit_code == 0
    with unchanged():  # a later command on a member the batch added: the batch cannot be taken back first
        refused = cli("import", "undo")
    assert refused.exit_code == 2 and "record-contact" in refused.stderr
    assert cli("undo", "--yes").exit_code == 0
    result = cli("undo", "--yes")
    assert result.exit_code == 0, result.stderr
    assert _rows(ledger, "SELECT count(*) FROM members") == [(0,)]
    assert _rows(ledger, "SELECT count(*) FROM history WHERE action = 'delete' AND table_name = 'outflows'") == [(2,)]
    assert _rows(ledger, "SELECT undone_at IS NOT NULL FROM import_batches") == [(1,)]
    assert "新增 2 行" in cli("import", "outflows", path).stdout  # and the file imports again


def test_a_month_paid_by_an_earlier_row_of_the_file_is_refused(cli, ledger, tmp_path, unchanged):
    assert cli("member", "add", "--name", "张伟", "--id", make_id(serial=1)).exit_code == 0
    path = _sheet(tmp_path / "d.xlsx", [
        ["姓名", "所属月份", "党费", "交纳时间"],
        ["张伟", "2026-01..2026-02", 12, "2026-03-01"],
        ["张伟", "2026-02..2026-03", 12, "2026-03-02"],
    ])
    with unchanged():
        result = cli("import", "dues", path)
    assert result.exit_code == 2
    assert "第 3 行：张伟 以下月份的党费已登记：2026-02" in result.stderr.replace("\n", "")


def test_a_register_row_reports_the_first_bad_cell_its_checks_read(cli, ledger, tmp_path):
    """Cells are parsed a column at a time, but a row still reports the first bad cell its checks read, and a bad
    cell its checks never read (查验日期 of a member still away) does not stop it."""
    path = _sheet(tmp_path / "r.xlsx", [
        HEAD + ["状态", "返回日期", "查验日期"],
        ["张伟", make_id(serial=1), "2024-03-01", "浙江省宁波市", "务工", "外出", None, "不详"],
        ["李娜", make_id(serial=2, male=False), "某天", "上海市", "旅游", "外出", None, None],
        ["王五", make_id(serial=3), "2024-03-01", "上海市", "务工", "已返回", "2024-05-01", "不详"],
        ["赵六", make_id(serial=4), "2024-03-01", "上海市", "务工", "外出", None, "不详"],
    ])
    result = cli("import", "outflows", path, "--skip-invalid")
    assert result.exit_code == 0, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("工作表")]
    assert len(errors) == 2
    assert "第 3 行“外出时间”列（某天）" in errors[0] and "外出原因" not in errors[0]
    assert "第 4 行“查验日期”列（不详）" in errors[1]
    assert _rows(ledger, "SELECT name FROM members ORDER BY id") == [("张伟",), ("赵六",)]
