"""Issue 2: every recording step through the command line, with the rows it leaves in the ledger."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.ids import make_id

LI = make_id("19850312", 3)
WANG = make_id("19900101", 4, male=False)
ZHAO = make_id("19920202", 5)


def rows(path, sql, *args):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def ok(result):
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


@pytest.fixture
def away(cli, ledger):
    """李明, away since 2025-03-01 to 浙江省 宁波市."""
    ok(cli("member", "add", "--name", "李明", "--id", LI, "--joined", "2010-07-01", "--phone", "13800138000"))
    ok(cli("register-outflow", "李明", "--to", "浙江省 宁波市 北仑区某厂", "--reason", "务工", "--date", "2025-03-01",
           "--briefed", "--employer", "某厂"))
    return ledger


def test_member_add_writes_row_and_history(cli, ledger):
    out = ok(cli("member", "add", "--name", "李明", "--id", LI.lower(), "--joined", "2010-07-01"))
    assert "李明" in out
    [(id_number, name, gender, birth, status)] = rows(ledger, "SELECT id_number, name, gender, birth_date, status FROM members")
    assert (id_number, name, gender, birth) == (LI.upper(), "李明", "男", "1985-03-12")
    assert rows(ledger, "SELECT action FROM history WHERE table_name = 'members'") == [("insert",)]


def test_member_add_twice_refused(cli, ledger, unchanged):
    ok(cli("member", "add", "--name", "李明", "--id", LI))
    with unchanged():
        result = cli("member", "add", "--name", "李明二", "--id", LI)
    assert result.exit_code == 2 and LI in result.stderr


def test_register_outflow_row(cli, away):
    [row] = rows(away, "SELECT province, city, address, reason, left_on, briefed, employer, ended_on FROM outflows")
    assert row == ("浙江省", "宁波市", "北仑区某厂", "务工", "2025-03-01", 1, "某厂", None)
    assert rows(away, "SELECT status FROM members") == [("away",)]


def test_update_outflow_keeps_old_place_in_history(cli, away):
    out = ok(cli("update-outflow", "李明", "--to", "广东省 深圳市 南山区", "--date", "2025-06-01"))
    assert "李明" in out
    [(province, city, address)] = rows(away, "SELECT province, city, address FROM outflows")
    assert (province, city, address) == ("浙江省", "宁波市", "北仑区某厂")  # as registered: an update is an event
    [(day, new)] = rows(away, "SELECT changed_on, new_values FROM outflow_changes")
    assert day == "2025-06-01" and json.loads(new)["city"] == "深圳市"
    show = ok(cli("member", "show", "李明"))
    assert "宁波市" in show and "深圳市" in show  # the timeline shows the old place beside the new


def test_member_show_prints_timeline(cli, away):
    ok(cli("issue-card", "李明", "--date", "2025-03-02"))
    ok(cli("check-in", "李明", "--org", "北仑区某厂党支部", "--date", "2025-03-20"))
    show = ok(cli("member", "show", "李明"))
    for text in ("李明", "2025-03-01", "2025-03-02", "2025-03-20", "北仑区某厂党支部", "330120250001"):
        assert text in show


def test_issue_card_generates_sequential_numbers(cli, away):
    ok(cli("member", "add", "--name", "王芳", "--id", WANG))
    ok(cli("register-outflow", "王芳", "--to", "浙江省 杭州市", "--reason", "经商", "--date", "2025-04-01"))
    assert "330120250001" in ok(cli("issue-card", "李明", "--date", "2025-03-02"))
    assert "330120250002" in ok(cli("issue-card", "王芳", "--date", "2025-04-02"))
    numbers = [r[0] for r in rows(away, "SELECT card_no FROM cards ORDER BY id")]
    assert numbers == ["330120250001", "330120250002"]


def test_reissue_voids_old_card(cli, away):
    ok(cli("issue-card", "李明", "--date", "2025-03-02"))
    assert cli("issue-card", "李明", "--date", "2025-05-02").exit_code == 2  # holds a valid card: --reissue needed
    assert "330120250001" in ok(cli("issue-card", "李明", "--date", "2025-05-02", "--reissue"))
    got = rows(away, "SELECT card_no, voided_on, void_reason FROM cards ORDER BY id")
    assert got == [("330120250001", "2025-05-02", "补发作废"), ("330120250002", None, None)]


def test_card_number_already_used_refused(cli, away, unchanged):
    ok(cli("member", "add", "--name", "王芳", "--id", WANG))
    ok(cli("register-outflow", "王芳", "--to", "浙江省 杭州市", "--reason", "经商", "--date", "2025-04-01"))
    ok(cli("issue-card", "李明", "--no", "A-1", "--date", "2025-03-02"))
    with unchanged():
        result = cli("issue-card", "王芳", "--no", "A-1", "--date", "2025-04-02")
    assert result.exit_code == 2 and "A-1" in result.stderr


def test_review_card_and_check_in(cli, away):
    ok(cli("issue-card", "李明", "--date", "2025-03-02"))
    ok(cli("review-card", "李明", "--date", "2025-12-01", "--reviewer", "书记"))
    assert rows(away, "SELECT reviewed_on, reviewer, result FROM card_reviews") == [("2025-12-01", "书记", "合格")]
    ok(cli("check-in", "李明", "--org", "北仑党委", "--date", "2025-03-20", "--verified", "--filed"))
    assert rows(away, "SELECT org, checked_in_on, verified, filed FROM checkins") == [("北仑党委", "2025-03-20", 1, 1)]


def test_record_dues_splits_exactly(cli, away):
    ok(cli("record-dues", "李明", "--period", "2025-01..2025-03", "--amount", "10.00", "--date", "2025-03-05"))
    got = rows(away, "SELECT period, amount_fen, paid_on, paid_to FROM dues ORDER BY period")
    assert got == [("2025-01", 334, "2025-03-05", "home"), ("2025-02", 333, "2025-03-05", "home"),
                   ("2025-03", 333, "2025-03-05", "home")]


def test_record_dues_quarter(cli, away):
    ok(cli("record-dues", "李明", "--period", "2025-Q2", "--amount", "6", "--to", "inflow", "--date", "2025-06-05"))
    assert rows(away, "SELECT period, amount_fen, paid_to FROM dues ORDER BY period") == [
        ("2025-04", 200, "inflow"), ("2025-05", 200, "inflow"), ("2025-06", 200, "inflow")]


def test_report_contact_org_life(cli, away):
    ok(cli("record-report", "李明", "--date", "2025-06-01", "--summary", "学习"))
    ok(cli("record-contact", "李明", "--date", "2025-06-02", "--channel", "微信"))
    ok(cli("record-org-life", "李明", "--date", "2025-06-03"))
    assert rows(away, "SELECT reported_on, kind, summary FROM reports") == [("2025-06-01", "思想汇报", "学习")]
    assert rows(away, "SELECT contacted_on, channel FROM contacts") == [("2025-06-02", "微信")]
    assert rows(away, "SELECT held_on, kind, place FROM org_life") == [("2025-06-03", "主题党日", "inflow")]


def test_return_inspect_and_transfer(cli, away):
    ok(cli("issue-card", "李明", "--date", "2025-03-02"))
    ok(cli("return", "李明", "--date", "2025-09-01", "--summary", "表现良好"))
    assert rows(away, "SELECT ended_on, end_kind, summary FROM outflows") == [("2025-09-01", "returned", "表现良好")]
    assert rows(away, "SELECT status FROM members") == [("home",)]
    ok(cli("inspect-card", "李明", "--date", "2025-09-02"))
    assert rows(away, "SELECT inspected_on FROM outflows") == [("2025-09-02",)]
    ok(cli("transfer-out", "李明", "--to", "宁波某党支部", "--date", "2025-10-01"))
    assert rows(away, "SELECT to_org, transferred_on FROM transfers") == [("宁波某党支部", "2025-10-01")]
    assert rows(away, "SELECT status FROM members") == [("transferred",)]


def test_inflow_and_feedback(cli, ledger):
    ok(cli("register-inflow", "--name", "赵强", "--id", ZHAO, "--from", "外县某村党支部", "--card-no", "X1",
           "--date", "2025-02-01", "--verified"))
    assert rows(ledger, "SELECT origin_org, origin_card_no, arrived_on FROM inflows") == [("外县某村党支部", "X1", "2025-02-01")]
    assert rows(ledger, "SELECT status FROM members") == [("inflow",)]
    ok(cli("record-feedback", "赵强", "--date", "2025-07-01", "--note", "表现好"))
    assert rows(ledger, "SELECT sent_on, note FROM feedback") == [("2025-07-01", "表现好")]


def test_convert_extend_and_full(cli, ledger):
    ok(cli("member", "add", "--name", "王芳", "--id", WANG, "--joined", "2025-01-10", "--probationary"))
    assert rows(ledger, "SELECT category, probation_ends FROM members") == [("probationary", "2026-01-10")]
    ok(cli("convert", "王芳", "--extend-to", "2026-07-10", "--date", "2026-01-10"))
    assert rows(ledger, "SELECT probation_ends FROM members") == [("2026-07-10",)]
    ok(cli("convert", "王芳", "--date", "2026-07-10"))
    assert rows(ledger, "SELECT category FROM members") == [("full",)]
    assert [r[0] for r in rows(ledger, "SELECT outcome FROM conversions ORDER BY id")] == ["extended", "converted"]


def test_set_quarterly(cli, away):
    ok(cli("set-quarterly", "李明"))
    assert rows(away, "SELECT quarterly FROM members") == [(1,)]
    ok(cli("set-quarterly", "李明", "--monthly"))
    assert rows(away, "SELECT quarterly FROM members") == [(0,)]
    assert len(rows(away, "SELECT * FROM history WHERE command = 'set-quarterly' AND action = 'update'")) == 2


def _three_away(cli):
    for name, id_number in (("王芳", WANG), ("赵强", ZHAO)):
        ok(cli("member", "add", "--name", name, "--id", id_number))
        ok(cli("register-outflow", name, "--to", "浙江省 宁波市", "--reason", "务工", "--date", "2025-04-01"))


def test_group_add(cli, away):
    _three_away(cli)
    ok(cli("group", "add", "--name", "宁波小组", "--city", "宁波市", "--leader", "李明", "--member", "王芳",
           "--member", "赵强", "--date", "2025-05-01"))
    assert rows(away, "SELECT name, city, formed_on FROM groups") == [("宁波小组", "宁波市", "2025-05-01")]
    assert rows(away, "SELECT count(*) FROM group_members") == [(3,)]
