"""A register streams through the importer a chunk at a time and through a streaming reader when it is big:
the ledger ends the same as if the whole file had been checked at once, and a bad row anywhere writes nothing."""

from __future__ import annotations

import json

import pytest
from openpyxl import Workbook

from flowparty import importer, sheets
from tests.ids import make_id
from tests.test_import_bulk import _rows, _sheet
from tests.test_sheets import township_register

HEAD = ["姓名", "身份证号", "外出时间", "流入地", "外出原因", "返回日期"]


@pytest.mark.parametrize("chunk", [1, 2, 3, importer.CHUNK_ROWS])
def test_rows_in_later_chunks_see_what_earlier_chunks_wrote(cli, ledger, tmp_path, monkeypatch, chunk):
    monkeypatch.setattr(importer, "CHUNK_ROWS", chunk)
    path = _sheet(tmp_path / "r.xlsx", [
        HEAD,
        ["张伟", make_id(serial=1), "2024-03-01", "浙江省宁波市", "务工", "2024-10-01"],  # away, then back
        ["李娜", make_id(serial=2, male=False), "2024-03-02", "上海市", "经商", None],
        ["张伟", make_id(serial=1), "2024-03-01", "浙江省宁波市", "务工", "2024-10-01"],  # the same row again
        ["张伟", make_id(serial=1), "2025-02-01", "广东省深圳市", "务工", None],  # leaves again
        ["张三", make_id(serial=1), "2025-05-01", "浙江省宁波市", "务工", None],  # the same 身份证号, another name
        ["李娜", make_id(serial=2, male=False), "2025-01-01", "上海市", "经商", None],  # still away
    ])
    result = cli("import", "outflows", path, "--skip-invalid")
    assert result.exit_code == 0, result.stderr
    assert "新增 3 行，已在台账中 1 行，跳过有错误的 2 行" in result.stdout.replace("\n", "")
    assert _rows(ledger, "SELECT name, status FROM members ORDER BY id") == [("张伟", "away"), ("李娜", "away")]
    assert _rows(ledger, "SELECT member_id, left_on, ended_on FROM outflows ORDER BY id") == [
        (1, "2024-03-01", "2024-10-01"), (2, "2024-03-02", None), (1, "2025-02-01", None)]
    # every row written, in every chunk, carries the batch, and the batch's one history entry counts them all
    assert _rows(ledger, "SELECT id, batch_id FROM members ORDER BY id") == [(1, 1), (2, 1)]
    assert _rows(ledger, "SELECT DISTINCT batch_id FROM outflows") == [(1,)]
    entries = _rows(ledger, "SELECT row_id, new_values FROM history WHERE table_name = 'import_batches'")
    assert len(entries) == 1 and entries[0][0] == 1
    assert json.loads(entries[0][1])["inserted"] == {"members": 2, "outflows": 3}
    assert _rows(ledger, "SELECT count(*) FROM history WHERE batch_id = 1 AND action = 'insert'") == [(1,)]
    # and the whole batch goes back: 张伟's status change in a later chunk first, then every inserted row
    result = cli("import", "undo")
    assert result.exit_code == 0, result.stderr
    restored = 1 if chunk <= 3 else 0  # 张伟 came back in the file's first chunk and left again in a later one
    assert f"删除 5 行，恢复 {restored} 处状态" in result.stdout.replace("\n", "")
    assert _rows(ledger, "SELECT count(*) FROM members") == [(0,)]
    assert _rows(ledger, "SELECT count(*) FROM outflows") == [(0,)]
    deleted = _rows(ledger, "SELECT table_name, row_id, member_id, old_values FROM history WHERE action = 'delete'"
                            " AND table_name = 'members' ORDER BY row_id")
    assert [row[:3] for row in deleted] == [("members", 1, 1), ("members", 2, 2)]
    old = json.loads(deleted[0][3])  # the whole row as it was deleted: its status already given back
    assert old["name"] == "张伟" and old["status"] == ("home" if restored else "away")


def test_a_bad_row_in_the_last_chunk_takes_back_every_chunk(cli, ledger, tmp_path, monkeypatch, unchanged):
    monkeypatch.setattr(importer, "CHUNK_ROWS", 2)
    people = [[f"党员{n}", make_id(serial=n), "2024-03-01", "浙江省宁波市", "务工", None] for n in range(1, 8)]
    people[-1][1] = "511302198001010999"  # a wrong check digit, in the fourth chunk
    path = _sheet(tmp_path / "r.xlsx", [HEAD, *people])
    with unchanged():
        result = cli("import", "outflows", path)
    assert result.exit_code == 2
    assert "第 8 行“身份证号”列（511302198001010999）" in result.stderr
    assert "没有写入任何数据" in result.stderr


def test_a_big_workbook_is_read_streaming_with_the_same_result(cli, ledger, tmp_path, monkeypatch):
    register = township_register(tmp_path / "登记簿.xlsx")
    monkeypatch.setattr(sheets, "STREAM_SHEET_BYTES", 0)  # every workbook counts as big

    def not_calamine(*args):
        raise AssertionError("a big workbook must not be read whole")

    monkeypatch.setattr(sheets, "_read_calamine", not_calamine)
    result = cli("import", "outflows", register, "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert _rows(ledger, "SELECT count(*) FROM members") == [(0,)]
    result = cli("import", "outflows", register)
    assert result.exit_code == 0, result.stderr
    assert "新增 6 行" in result.stdout
    members = _rows(ledger, "SELECT name, id_number, phone, joined_on FROM members ORDER BY id")
    assert [m[0] for m in members] == ["张伟", "李娜", "王强", "赵敏", "刘洋", "陈静"]
    assert members[4][1] == "51130219850505081X" and members[5][2] == "13800138006"
    assert [m[3] for m in members] == ["2001-07-01", "2005-07-01", "2010-07-01", "2012-06-01", "2015-07-01",
                                       "2016-07-01"]
    outflows = _rows(ledger, "SELECT left_on, province, city FROM outflows ORDER BY id")
    assert [o[0] for o in outflows] == [f"2024-03-0{d}" for d in range(1, 7)]
    assert cli("import", "outflows", register).stdout.count("新增 0 行") == 1  # and again: nothing changes


@pytest.mark.parametrize("reader", ["calamine", "streaming"])
def test_a_table_away_from_the_corner_keeps_its_merged_cells(cli, ledger, tmp_path, monkeypatch, reader):
    if reader == "streaming":
        monkeypatch.setattr(sheets, "STREAM_SHEET_BYTES", -1)
    wb = Workbook()
    ws = wb.active
    ws["C3"], ws["D3"], ws["E3"], ws["F3"], ws["G3"] = "姓名", "身份证号", "外出时间", "流入地", "外出原因"
    ws.append([None, None, "张伟", make_id(serial=1), "2024-03-01", "浙江省宁波市", "务工"])
    ws.append([None, None, "李娜", make_id(serial=2, male=False), "2024-03-01", None, None])
    ws.append([None, None, "王强", "511302198001010999", "2024-03-01", "上海市", "经商"])  # a wrong check digit
    ws.merge_cells("F4:F5")  # the same place and reason for both, merged down
    ws.merge_cells("G4:G5")
    wb.save(tmp_path / "off.xlsx")
    result = cli("import", "outflows", tmp_path / "off.xlsx", "--skip-invalid")
    assert result.exit_code == 0, result.stderr
    assert "第 6 行“身份证号”列（511302198001010999）" in result.stderr  # rows numbered as Excel shows them
    assert _rows(ledger, "SELECT city, reason FROM outflows") == [("宁波市", "务工"), ("宁波市", "务工")]


def test_a_big_workbook_fills_its_merged_cells_too(cli, ledger, tmp_path, monkeypatch):
    monkeypatch.setattr(sheets, "STREAM_SHEET_BYTES", 0)
    wb = Workbook()
    ws = wb.active
    ws.title = "登记簿"
    ws.append(["外出流动党员登记簿"])
    ws.merge_cells("A1:F1")
    ws.append(["姓名", "身份证号", "外出时间", "流入地", "外出原因", "工作单位"])
    ws.append(["张伟", make_id(serial=1), "2024-03-01", "浙江省宁波市", "务工", "宁波某模具厂"])
    ws.append(["李娜", make_id(serial=2, male=False), "2024-03-01", None, None, None])
    ws.append(["王强", make_id(serial=3), "2024-05-01", "上海市", "经商", None])
    ws.merge_cells("D3:D4")
    ws.merge_cells("E3:E4")
    ws.merge_cells("F3:F5")  # one employer for all three
    wb.create_sheet("说明").append(["本表由乡镇导出"])
    wb.save(tmp_path / "big.xlsx")
    result = cli("import", "outflows", tmp_path / "big.xlsx")
    assert result.exit_code == 0, result.stderr
    assert _rows(ledger, "SELECT city, reason, employer FROM outflows ORDER BY id") == [
        ("宁波市", "务工", "宁波某模具厂"), ("宁波市", "务工", "宁波某模具厂"), ("上海市", "经商", "宁波某模具厂")]


def test_merged_ranges_are_found_across_read_chunks(tmp_path):
    class Trickle:  # a stream that hands out a few bytes at a time, cutting every tag somewhere
        def __init__(self, data: bytes):
            self.data = data

        def read(self, size: int) -> bytes:
            piece, self.data = self.data[:7], self.data[7:]
            return piece

    xml = b'<sheetData/><mergeCells count="2"><mergeCell ref="C3:C4"/><mergeCell ref="AA10:AB12"/></mergeCells>'
    pieces = list(sheets._whole_tags(Trickle(xml)))
    assert b"".join(pieces) == xml
    found = [m.groups() for piece in pieces for m in sheets._MERGE_REF.finditer(piece)]
    assert found == [(b"C", b"3", b"C", b"4"), (b"AA", b"10", b"AB", b"12")]
    assert sheets._column(b"A") == 0 and sheets._column(b"Z") == 25 and sheets._column(b"AB") == 27
