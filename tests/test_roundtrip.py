"""SPEC §8 round trip: export all → import all into a fresh ledger → export all is the same workbook, cell for
cell, and the audit on any date is the same; the single-kind imports read the matching sheets of that workbook."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from flowparty import db, demo, dues, export, importer, integrity, records, rules
from flowparty.db import as_date
from flowparty.errors import BadInput
from flowparty.parse import Destination, Month, id_check_digit

TODAY = date.today()


def _export(path: Path, xlsx: Path) -> None:
    led = db.open_ledger(path, readonly=True)
    try:
        export.write_xlsx(xlsx, [make(led, TODAY, False) for make in export.KINDS.values()])
    finally:
        led.close()


def _cells(xlsx: Path) -> dict[str, list[tuple]]:
    from openpyxl import load_workbook

    book = load_workbook(xlsx, read_only=True)
    try:
        return {ws.title: [tuple(row) for row in ws.iter_rows(values_only=True)] for ws in book.worksheets}
    finally:
        book.close()


def _fresh(path: Path, since: Month | None = None) -> db.Ledger:
    led = db.create(path)
    with led.transaction("init"):
        records.initialize(led, branch="青山村党支部", committee="青山镇党委", code=None, since=since or Month.of(TODAY))
    return led


def _audit(path: Path, day: date) -> list[tuple]:
    led = db.open_ledger(path, readonly=True)
    try:
        return [(f.code, f.id_number, f.since, repr(sorted(f.details.items())) if f.details else None, f.message)
                for f in rules.run_audit(led, day)]
    finally:
        led.close()


def _count(path: Path, table: str) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> tuple[Path, Path]:
    """The demo ledger, with a conversion and a dues standard besides (the demo records neither), exported."""
    folder = tmp_path_factory.mktemp("roundtrip")
    path = folder / "demo.db"
    demo.build(path, TODAY)
    led = db.open_ledger(path)
    with led.transaction("extra"):
        records.convert(led, records.find_member(led, "周丽"), decided_on=TODAY - timedelta(days=5))
        dues.set_standard(led, records.find_member(led, "王建国"), year=TODAY.year, kind="salary",
                          set_on=TODAY - timedelta(days=30), base_fen=450_000)
        dues.set_standard(led, records.find_member(led, "王德福"), year=TODAY.year, kind="farmer",
                          set_on=TODAY - timedelta(days=30), monthly_fen=50)
        late = led.get("members", records.add_member(
            led, name="钱多多", id_number="51132119950101002" + id_check_digit("51132119950101002"),
            joined=TODAY - timedelta(days=400), probationary=True, added_on=TODAY - timedelta(days=400)))
        records.convert(led, late, decided_on=TODAY - timedelta(days=30),
                        extend_to=as_date(late["probation_ends"]) + timedelta(days=240))
        records.record_contact(led, records.find_member(led, "张伟"), contacted_on=TODAY - timedelta(days=1),
                               channel="电话", note="=1+1（电话核实）")
    led.close()
    xlsx = folder / "all.xlsx"
    _export(path, xlsx)
    return path, xlsx


@pytest.fixture(scope="module")
def copied(source, tmp_path_factory) -> tuple[Path, importer.Outcome]:
    _, xlsx = source
    path = tmp_path_factory.mktemp("copy") / "copy.db"
    led = _fresh(path)
    try:
        outcome = importer.import_all(led, xlsx)
        assert integrity.damage(led.conn) == []  # as `flowparty check` after the import: else FP901 asks for it
        integrity.record_pass(led.conn, datetime.now())
    finally:
        led.close()
    return path, outcome


def test_export_all_writes_every_kind_as_its_own_sheet(source):
    _, xlsx = source
    sheets = _cells(xlsx)
    assert list(sheets) == [export.L.EXPORT_KINDS[k] for k in export.KINDS]
    roster = sheets["党员名册"]
    assert roster[0] == ("序号", "姓名", "性别", "身份证号", "联系电话", "党员类别", "入党时间", "预备期满日期", "按季交纳",
                         "原职业", "状态", "登记日期", "备注")
    by_name = {row[1]: row for row in roster[1:]}
    assert by_name["赵敏"][5] == "预备党员" and by_name["周丽"][5] == "正式党员"
    assert by_name["林晓燕"][10] == "已转出" and by_name["王建国"][8] == "是"
    assert isinstance(by_name["王建国"][3], str) and isinstance(by_name["王建国"][4], str)
    register = {row[1]: dict(zip(sheets["外出流动党员登记簿"][0], row)) for row in sheets["外出流动党员登记簿"][1:]}
    assert (register["谢春燕"]["省"], register["谢春燕"]["市"], register["谢春燕"]["详细地址"]) == ("上海市", "上海市", "松江区")
    assert register["林晓燕"]["状态"] == "已转出" and register["林晓燕"]["返回日期"] is None
    assert register["林晓燕"]["转出日期"].date() == TODAY - timedelta(days=150)
    assert register["朱海涛"]["状态"] == "已返回" and register["朱海涛"]["查验日期"].date() == TODAY - timedelta(days=115)
    assert register["王建国"]["活动证编号"] and register["王建国"]["发证日期"] is not None
    assert register["罗小军"]["活动证编号"] is None
    dues_rows = sheets["党费交纳记录"]
    assert all(isinstance(row[3], (int, float)) for row in dues_rows[1:])  # money as numbers
    standards = {row[0]: row for row in sheets["党费标准"][1:]}
    assert standards["王建国"][2] == TODAY.year and standards["王建国"][4] == 4500 and standards["王建国"][5] == 45
    assert [row[3] for row in sheets["预备期处理"][1:]] == ["延长预备期", "转正"]


def test_import_all_into_a_fresh_ledger_exports_the_same_workbook(source, copied, tmp_path):
    _, xlsx = source
    path, outcome = copied
    again = tmp_path / "again.xlsx"
    _export(path, again)
    first, second = _cells(xlsx), _cells(again)
    assert list(first) == list(second)
    for name in first:
        assert first[name] == second[name], name
    assert outcome.errors == [] and outcome.batch_id is not None
    assert {s.kind for s in outcome.sheets} == set(importer.ALL_KINDS)


@pytest.mark.parametrize("days", [0, 10, 33, 40, 182, 365])
def test_the_copy_audits_the_same_on_any_date(source, copied, days):
    day = TODAY - timedelta(days=days)
    assert _audit(copied[0], day) == _audit(source[0], day)


def test_the_copy_holds_the_rows_of_every_kind(source, copied):
    for table in ("members", "outflows", "cards", "card_reviews", "checkins", "dues", "reports", "contacts",
                  "org_life", "inflows", "feedback", "groups", "group_members", "dues_standards", "conversions",
                  "transfers"):
        assert _count(copied[0], table) == _count(source[0], table), table
    with sqlite3.connect(copied[0]) as conn:
        assert conn.execute("SELECT status FROM members WHERE name = '林晓燕'").fetchone() == ("transferred",)
        assert conn.execute("SELECT o.end_kind, t.to_org IS NOT NULL FROM outflows o JOIN members m ON m.id ="
                            " o.member_id JOIN transfers t ON t.member_id = m.id WHERE m.name = '林晓燕'").fetchone() \
            == ("transferred", 1)
        assert conn.execute("SELECT province, city, address FROM outflows o JOIN members m ON m.id = o.member_id"
                            " WHERE m.name = '谢春燕'").fetchone() == ("上海市", "上海市", "松江区")
        [(note,)] = conn.execute("SELECT note FROM contacts WHERE note LIKE '=%'").fetchall()
        assert note.startswith("=1+1")  # a formula-like text stays text, written and read back as typed
        assert conn.execute("SELECT count(DISTINCT batch_id) FROM members").fetchone() == (1,)
        assert conn.execute("SELECT value FROM settings WHERE key = 'since'").fetchone() == \
            (str(Month.of(TODAY).plus(-demo.SINCE_MONTHS)),)


def test_importing_the_same_workbook_again_changes_nothing(source, copied):
    path, _ = copied
    tables = ("members", "outflows", "cards", "dues", "org_life", "transfers", "history")
    before = {t: _count(path, t) for t in tables}
    led = db.open_ledger(path)
    try:
        outcome = importer.import_all(led, source[1])
    finally:
        led.close()
    assert outcome.added == 0 and outcome.unchanged > 1000
    after = {t: _count(path, t) for t in tables}
    assert after["history"] == before["history"] + 1  # the batch's one entry (its row, its counts), nothing else
    assert {t: after[t] for t in tables if t != "history"} == {t: before[t] for t in tables if t != "history"}


def test_dry_run_writes_nothing(source, tmp_path):
    path = tmp_path / "dry.db"
    led = _fresh(path)
    try:
        outcome = importer.import_all(led, source[1], dry_run=True)
    finally:
        led.close()
    assert outcome.batch_id is None and outcome.added > 1000
    assert _count(path, "members") == 0 and _count(path, "import_batches") == 0


def test_a_bad_cell_names_sheet_row_column_and_value_and_writes_nothing(source, tmp_path):
    from openpyxl import load_workbook

    bad = tmp_path / "bad.xlsx"
    book = load_workbook(source[1])
    ws = book["党费交纳记录"]
    ws.cell(3, 4).value = "三十六元"
    book.save(bad)
    path = tmp_path / "bad.db"
    led = _fresh(path)
    try:
        with pytest.raises(importer.ImportRefused) as refused:
            importer.import_all(led, bad)
    finally:
        led.close()
    [error] = refused.value.outcome.errors
    assert (error.sheet, error.row, error.column, error.value) == ("党费交纳记录", 3, "金额", "三十六元")
    assert _count(path, "members") == 0 and _count(path, "dues") == 0


def test_settings_that_disagree_are_refused(source, tmp_path):
    path = tmp_path / "other.db"
    led = _fresh(path)
    with led.transaction("member"):
        records.add_member(led, name="某人", id_number="11010519491231002X")
    try:
        with pytest.raises(BadInput, match="台账设置"):
            importer.import_all(led, source[1])
    finally:
        led.close()
    assert _count(path, "members") == 1


def test_single_kind_imports_read_their_own_sheet_of_the_workbook(source, tmp_path):
    path = tmp_path / "kinds.db"
    led = _fresh(path, Month.of(TODAY).plus(-demo.SINCE_MONTHS))
    try:
        sheets = {kind: importer.import_file(led, kind, source[1]).sheet
                  for kind in ("members", "outflows", "dues", "reports")}
    finally:
        led.close()
    assert sheets == {"members": "党员名册", "outflows": "外出流动党员登记簿", "dues": "党费交纳记录",
                      "reports": "思想汇报记录"}
    with sqlite3.connect(path) as conn:
        rows = dict(conn.execute("SELECT m.name, m.status FROM members m"))
        assert rows["林晓燕"] == "transferred" and rows["朱海涛"] == "home" and rows["王建国"] == "away"
        assert conn.execute("SELECT category FROM members WHERE name = '赵敏'").fetchone() == ("probationary",)
        assert conn.execute("SELECT quarterly FROM members WHERE name = '王建国'").fetchone() == (1,)
        valid = ("SELECT m.name, c.card_no, c.issued_on FROM cards c JOIN members m ON m.id = c.member_id"
                 " WHERE m.status = 'away' AND c.voided_on IS NULL ORDER BY m.name")
        with sqlite3.connect(source[0]) as original:
            assert conn.execute(valid).fetchall() == original.execute(valid).fetchall()
        assert conn.execute("SELECT province, city, address FROM outflows o JOIN members m ON m.id = o.member_id"
                            " WHERE m.name = '谢春燕'").fetchone() == ("上海市", "上海市", "松江区")
    codes = {f[0] for f in _audit(path, TODAY)}
    assert "FP101" in codes  # 罗小军 has no card, as in the demo
    fp101 = [f for f in _audit(path, TODAY) if f[0] == "FP101"]
    assert len(fp101) == 1


def test_summary_names_ignored_columns_unplaced_places_and_sheet_counts():
    outcome = importer.Outcome("outflows", "登记簿.xlsx", "Sheet1")
    outcome.ignored_columns = {"Sheet1": ["文化程度", "民族"]}
    outcome.unplaced = ["火星基地", "火星基地", "某地"]
    outcome.sheets = [importer.SheetCount("roster", "党员名册", 3, 1, 0)]
    lines = importer.summary_lines(outcome)
    assert lines[0] == "  党员名册：新增 3 行，已在台账中 1 行，有错误 0 行。"
    assert "“文化程度”、“民族”" in lines[1] and "Sheet1" in lines[1]
    assert lines[2].startswith("无法确定省市的地点 2 处") and "“火星基地”、“某地”" in lines[2]


def test_an_import_collects_the_places_it_could_not_place(tmp_path):
    from openpyxl import Workbook

    xlsx = tmp_path / "登记簿.xlsx"
    book = Workbook()
    ws = book.active
    ws.append(["姓名", "身份证号", "外出时间", "流入地", "外出原因"])
    ws.append(["王五", "11010519491231002X", "2025-03-01", "火星基地", "务工"])
    ws.append(["赵六", "11010519800101001" + id_check_digit("11010519800101001"), "2025-03-01", "浙江省宁波市", "务工"])
    book.save(xlsx)
    path = tmp_path / "places.db"
    led = _fresh(path, Month(2025, 1))
    try:
        outcome = importer.import_file(led, "outflows", xlsx)
    finally:
        led.close()
    assert outcome.added == 2 and outcome.unplaced == ["火星基地"]
    assert any("火星基地" in line for line in importer.summary_lines(outcome))
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT address FROM outflows ORDER BY id").fetchall() == [("火星基地",), ("",)]


def test_destination_columns_keep_a_municipality_single():
    cells = importer.Cells(importer.sheets.Row(2, {"province": "上海市", "city": "上海市", "address": "松江区"}),
                           {"province": "省", "city": "市", "address": "详细地址"}, {})
    importer._by_column([cells], importer.OUTFLOW_COLUMNS)
    assert importer._destination(cells) == Destination("上海市", "上海市", "松江区")


def test_import_undo_takes_back_an_import_all(source, tmp_path):
    path = tmp_path / "undo.db"
    led = _fresh(path)
    try:
        importer.import_all(led, source[1])
        with led.transaction("import undo"):
            undone = importer.undo_last(led)
    finally:
        led.close()
    assert undone.batch["kind"] == "all" and undone.deleted > 1000
    for table in ("members", "outflows", "cards", "dues", "transfers", "groups", "group_members"):
        assert _count(path, table) == 0, table
    with sqlite3.connect(path) as conn:  # the settings stay: they set the ledger up, they are no record
        assert conn.execute("SELECT value FROM settings WHERE key = 'branch'").fetchone() == ("青山村党支部",)


def test_cells_are_typed_ids_and_phones_text_dates_dates_money_numbers(source):
    from openpyxl import load_workbook

    book = load_workbook(source[1], read_only=False)
    roster, register, cards = book["党员名册"], book["外出流动党员登记簿"], book["活动证"]
    head = {c.value: c.column for c in register[1]}
    for row in range(2, register.max_row + 1):
        assert register.cell(row, head["身份证号"]).data_type == "s"
        assert register.cell(row, head["外出时间"]).is_date
        assert register.cell(row, head["序号"]).data_type == "n"
    assert all(roster.cell(r, 5).data_type == "s" for r in range(2, roster.max_row + 1) if roster.cell(r, 5).value)
    assert all(cards.cell(r, 3).data_type == "s" for r in range(2, cards.max_row + 1))  # card numbers: text
    assert book["党费交纳记录"].cell(2, 4).data_type == "n"


def test_export_all_as_csv_writes_a_file_per_sheet_that_the_importers_read(source, tmp_path):
    folder = tmp_path / "csv"
    led = db.open_ledger(source[0], readonly=True)
    try:
        written = export.write_csv(folder, [make(led, TODAY, False) for make in export.KINDS.values()])
    finally:
        led.close()
    assert [p.stem for p in written] == [export.L.EXPORT_KINDS[k] for k in export.KINDS]
    path = tmp_path / "csv.db"
    led = _fresh(path, Month.of(TODAY).plus(-demo.SINCE_MONTHS))
    try:
        importer.import_file(led, "members", folder / "党员名册.csv")
        outcome = importer.import_file(led, "outflows", folder / "外出流动党员登记簿.csv")
    finally:
        led.close()
    assert outcome.added == 20 and outcome.errors == []
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT province, city, address FROM outflows o JOIN members m ON m.id = o.member_id"
                            " WHERE m.name = '谢春燕'").fetchone() == ("上海市", "上海市", "松江区")
        assert conn.execute("SELECT status FROM members WHERE name = '林晓燕'").fetchone() == ("transferred",)
        assert conn.execute("SELECT end_kind, inspected_on IS NOT NULL FROM outflows o JOIN members m"
                            " ON m.id = o.member_id WHERE m.name = '朱海涛'").fetchone() == ("returned", 1)


def test_the_columns_the_reader_did_not_use_reach_the_summary(source, tmp_path, monkeypatch):
    """sheets.Table.ignored (the header texts no key matched) is named per sheet, dry run or not."""
    real = importer.sheets.read_table

    def reading(*args, **kwargs):
        table = real(*args, **kwargs)
        table.ignored = ["民族", "文化程度"] if table.sheet == "党员名册" else []
        return table

    monkeypatch.setattr(importer.sheets, "read_table", reading)
    led = _fresh(tmp_path / "ignored.db")
    try:
        outcome = importer.import_all(led, source[1], dry_run=True)
        single = importer.import_file(led, "members", source[1], dry_run=True)
    finally:
        led.close()
    assert outcome.ignored_columns == {"党员名册": ["民族", "文化程度"]} == single.ignored_columns
    assert "未使用的列（工作表“党员名册”）：“民族”、“文化程度”。这些列的内容没有导入。" in importer.summary_lines(outcome)
