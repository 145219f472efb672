"""Issue 2: bad input and steps out of order are refused in Chinese, exit 2, and write nothing."""

from __future__ import annotations

import sqlite3

import pytest

from tests.ids import make_id

LI = make_id("19850312", 3)
WANG = make_id("19900101", 4, male=False)
ZHAO = make_id("19920202", 5)
SUN = make_id("19930303", 6)


def ok(result):
    assert result.exit_code == 0, result.stderr
    return result.stdout


def refused(result, *texts):
    """Exit 2, no traceback, a Chinese line on stderr naming each given text (field and value)."""
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    for text in texts:
        assert text in result.stderr, result.stderr
    return result.stderr


@pytest.fixture
def away(cli, ledger):
    ok(cli("member", "add", "--name", "李明", "--id", LI, "--joined", "2010-07-01"))
    ok(cli("register-outflow", "李明", "--to", "浙江省 宁波市", "--reason", "务工", "--date", "2025-03-01", "--briefed"))
    return ledger


def _wrong_check(id_number):
    return id_number[:17] + ("0" if id_number[17] != "0" else "1")


@pytest.mark.parametrize("bad", [_wrong_check(LI), LI[:17], LI + "1", make_id("19850230")[:17] + "0", "abcdefghijklmnopqr"])
def test_bad_id_number(cli, ledger, unchanged, bad):
    with unchanged():
        refused(cli("member", "add", "--name", "李明", "--id", bad), "身份证号", bad)


def test_impossible_birth_date_in_id(cli, ledger, unchanged):
    from flowparty.parse import id_check_digit
    first17 = "511302198502300031"[:17]
    bad = first17 + id_check_digit(first17)
    with unchanged():
        refused(cli("member", "add", "--name", "李明", "--id", bad), "身份证号")


def test_lowercase_x_folded(cli, ledger):
    from flowparty.parse import id_check_digit
    for serial in range(1000):
        first17 = f"511302198001{1 + serial // 100 % 28:02d}{serial % 100:02d}1"
        if id_check_digit(first17) == "X":
            break
    ok(cli("member", "add", "--name", "李明", "--id", first17 + "x"))
    conn = sqlite3.connect(ledger)
    assert conn.execute("SELECT id_number FROM members").fetchall() == [(first17 + "X",)]
    ok(cli("member", "show", first17 + "x"))


@pytest.mark.parametrize("form", ["2025-03-01", "2025/3/1", "2025.3.1", "20250301", "2025年3月1日"])
def test_every_date_form(cli, ledger, form):
    ok(cli("member", "add", "--name", "李明", "--id", LI))
    ok(cli("register-outflow", "李明", "--to", "浙江省 宁波市", "--reason", "务工", "--date", form, "--briefed"))
    conn = sqlite3.connect(ledger)
    assert conn.execute("SELECT left_on FROM outflows").fetchall() == [("2025-03-01",)]


@pytest.mark.parametrize("bad", ["2026-02-30", "2025-13-01", "昨天", "2025/2/29"])
def test_impossible_date(cli, away, unchanged, bad):
    with unchanged():
        refused(cli("record-contact", "李明", "--date", bad), "日期", bad)


def test_future_date(cli, away, unchanged):
    with unchanged():
        refused(cli("record-contact", "李明", "--date", "2099-01-01"), "2099-01-01")


def test_unknown_member(cli, ledger, unchanged):
    with unchanged():
        refused(cli("record-contact", "钱多多", "--date", "2025-03-01"), "钱多多")
        refused(cli("member", "show", "钱多多"), "钱多多")


def test_ambiguous_name_lists_candidates(cli, ledger, unchanged):
    ok(cli("member", "add", "--name", "张伟", "--id", WANG))
    ok(cli("member", "add", "--name", "张伟", "--id", ZHAO))
    with unchanged():
        err = refused(cli("register-outflow", "张伟", "--to", "浙江省 宁波市", "--reason", "务工", "--date", "2025-03-01"),
                      "张伟")
    from flowparty.parse import mask_id
    assert (WANG in err or mask_id(WANG) in err) and (ZHAO in err or mask_id(ZHAO) in err)


@pytest.mark.parametrize("bad", ["abc", "-5", "0", "1.234"])
def test_bad_amount(cli, away, unchanged, bad):
    with unchanged():
        refused(cli("record-dues", "李明", "--period", "2025-03", "--amount", bad, "--date", "2025-03-05"), "金额", bad)


@pytest.mark.parametrize("bad", ["2026-13", "2025-06..2025-01", "2026-Q5", "abc"])
def test_bad_period(cli, away, unchanged, bad):
    with unchanged():
        refused(cli("record-dues", "李明", "--period", bad, "--amount", "6", "--date", "2025-03-05"), bad)


def test_return_member_at_home(cli, ledger, unchanged):
    ok(cli("member", "add", "--name", "李明", "--id", LI))
    with unchanged():
        refused(cli("return", "李明", "--date", "2025-03-01"), "李明")


def test_issue_card_member_not_away(cli, ledger, unchanged):
    ok(cli("member", "add", "--name", "李明", "--id", LI))
    with unchanged():
        refused(cli("issue-card", "李明", "--date", "2025-03-01"), "李明")


def test_register_outflow_twice(cli, away, unchanged):
    with unchanged():
        refused(cli("register-outflow", "李明", "--to", "广东省 深圳市", "--reason", "务工", "--date", "2025-04-01"), "李明")


def test_convert_full_member(cli, away, unchanged):
    with unchanged():
        refused(cli("convert", "李明", "--date", "2025-04-01"), "李明")


def test_extend_probation_twice_or_too_long(cli, ledger, unchanged):
    ok(cli("member", "add", "--name", "王芳", "--id", WANG, "--joined", "2025-01-10", "--probationary"))
    with unchanged():
        refused(cli("convert", "王芳", "--extend-to", "2026-04-10", "--date", "2026-01-10"), "2026-04-10")
    ok(cli("convert", "王芳", "--extend-to", "2026-07-10", "--date", "2026-01-10"))
    with unchanged():
        refused(cli("convert", "王芳", "--extend-to", "2027-01-10", "--date", "2026-07-10"), "王芳")


def test_review_without_card(cli, away, unchanged):
    with unchanged():
        refused(cli("review-card", "李明", "--date", "2025-04-01"), "李明")


def test_feedback_for_non_inflow_member(cli, away, unchanged):
    with unchanged():
        refused(cli("record-feedback", "李明", "--date", "2025-04-01"), "李明")


def test_group_too_small_or_with_home_member(cli, away, unchanged):
    ok(cli("member", "add", "--name", "王芳", "--id", WANG))
    ok(cli("register-outflow", "王芳", "--to", "浙江省 宁波市", "--reason", "务工", "--date", "2025-04-01", "--briefed"))
    ok(cli("member", "add", "--name", "赵强", "--id", ZHAO))
    with unchanged():
        refused(cli("group", "add", "--name", "小组", "--city", "宁波市", "--leader", "李明", "--member", "王芳",
                    "--date", "2025-05-01"), "3")
        refused(cli("group", "add", "--name", "小组", "--city", "宁波市", "--leader", "李明", "--member", "王芳",
                    "--member", "赵强", "--date", "2025-05-01"), "赵强")


def test_bad_destination_and_reason(cli, ledger, unchanged):
    ok(cli("member", "add", "--name", "李明", "--id", LI))
    with unchanged():
        refused(cli("register-outflow", "李明", "--to", "浙江省 宁波市", "--reason", "旅游", "--date", "2025-03-01"), "旅游")
        refused(cli("register-outflow", "李明", "--to", "", "--reason", "务工", "--date", "2025-03-01"))


def test_convert_before_probation_ends_refused_but_cancel_allowed(cli, ledger, unchanged):
    ok(cli("member", "add", "--name", "王芳", "--id", WANG, "--joined", "2025-01-10", "--probationary"))
    with unchanged():
        refused(cli("convert", "王芳", "--date", "2025-06-01"), "王芳", "2026-01-10")
        refused(cli("convert", "王芳", "--extend-to", "2026-07-10", "--date", "2025-06-01"), "2026-01-10")
    ok(cli("convert", "王芳", "--cancel", "--date", "2025-06-01"))
    conn = sqlite3.connect(ledger)
    assert conn.execute("SELECT category FROM members").fetchall() == [("cancelled",)]


def test_check_in_before_leaving_is_refused(cli, away, unchanged):
    with unchanged():
        refused(cli("check-in", "李明", "--org", "宁波某厂党支部", "--date", "2025-02-28"), "2025-02-28", "外出日期")


def test_missing_argument_names_its_placeholder(cli, ledger, capsys):
    from typer.main import get_command

    from flowparty.cli import app

    assert get_command(app).main(["return"], prog_name="flowparty", standalone_mode=False) == 2
    assert "错误：缺少必填项 <党员>。" in capsys.readouterr().err
