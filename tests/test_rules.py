"""Each audit rule fires exactly at its SPEC §3 threshold and not a day (or month) before."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from flowparty import db, records, rules
from flowparty.parse import Destination, Month
from tests.ids import make_id

D = date.fromisoformat
_serial = itertools.count(1)


@pytest.fixture
def led(ledger):
    led = db.open_ledger(ledger)
    yield led
    led.close()


def member(led, name="张三", phone="13800000000", **kw):
    """A roster member with a fresh valid 身份证号."""
    with led.transaction("test"):
        n = next(_serial)
        records.add_member(led, name=name, id_number=make_id(serial=n, birth=f"1980{(n % 12) + 1:02d}01"),
                           phone=phone, **kw)
        return led.one("SELECT * FROM members ORDER BY id DESC LIMIT 1")


def away(led, name="张三", left="2025-02-10", card=True, city="宁波市", fixed=False, phone="13800000000", **kw):
    """A member who left on `left` for 浙江省 <city>, with a card issued that day unless card=False."""
    m = member(led, name, phone=phone, **kw)
    with led.transaction("test"):
        records.register_outflow(led, m, destination=Destination("浙江省", city, ""), reason="务工",
                                 left_on=D(left), fixed=fixed)
        m = records.reload(led, m)
        if card:
            records.issue_card(led, m, issued_on=D(left))
    return records.reload(led, m)


def step(led, fn, m, **kw):
    with led.transaction("test"):
        return fn(led, records.reload(led, m), **kw)


def codes(led, day, who=None, select=()):
    """The codes found on the day (for one member when given)."""
    return {f.code for f in rules.run_audit(led, D(day), select=select)
            if who is None or f.member_id == who["id"]}


# ---------------------------------------------------------------- cards and check-in


def test_fp101_away_without_a_valid_card(led):
    bare = away(led, "无证", card=False)
    held = away(led, "有证")
    assert "FP101" in codes(led, "2025-02-10", bare)
    assert "FP101" not in codes(led, "2025-02-10", held)


def test_fp101_the_card_is_judged_as_of_the_day(led):
    m = away(led, card=False, left="2025-02-10")
    step(led, records.issue_card, m, issued_on=D("2025-03-01"))
    assert "FP101" in codes(led, "2025-02-28", m)
    assert "FP101" not in codes(led, "2025-03-01", m)


def test_fp102_twelve_months_after_issue_or_last_review(led):
    m = away(led, left="2025-02-10")
    assert "FP102" not in codes(led, "2026-02-10", m, ["FP102"])
    assert "FP102" in codes(led, "2026-02-11", m, ["FP102"])
    step(led, records.review_card, m, reviewed_on=D("2025-06-01"))
    assert "FP102" not in codes(led, "2026-06-01", m, ["FP102"])
    assert "FP102" in codes(led, "2026-06-02", m, ["FP102"])


def test_fp102_a_review_after_the_audit_date_does_not_count(led):
    m = away(led, left="2025-02-10")
    step(led, records.review_card, m, reviewed_on=D("2026-03-01"))
    assert "FP102" in codes(led, "2026-02-28", m, ["FP102"])
    assert "FP102" not in codes(led, "2026-03-01", m, ["FP102"])


def test_fp103_card_not_inspected_within_30_days_of_return(led):
    m = away(led, left="2025-02-10")
    step(led, records.return_home, m, returned_on=D("2025-05-01"))
    assert "FP103" not in codes(led, "2025-05-31", m)
    assert "FP103" in codes(led, "2025-06-01", m)
    step(led, records.inspect_card, m, inspected_on=D("2025-06-10"))
    assert "FP103" in codes(led, "2025-06-09", m)
    assert "FP103" not in codes(led, "2025-06-10", m)


def test_fp103_inspected_on_return(led):
    m = away(led, left="2025-02-10")
    step(led, records.return_home, m, returned_on=D("2025-05-01"), inspected=True)
    assert codes(led, "2025-09-01", m) == set()


def test_fp104_no_check_in_30_days_after_the_card(led):
    m = away(led, left="2025-02-10")
    assert "FP104" not in codes(led, "2025-03-12", m)
    assert "FP104" in codes(led, "2025-03-13", m)
    step(led, records.check_in, m, org="宁波市鄞州区某社区党委", checked_in_on=D("2025-04-01"))
    assert "FP104" in codes(led, "2025-03-31", m)
    assert "FP104" not in codes(led, "2025-04-01", m)


# ---------------------------------------------------------------- dues


def dues_codes(led, day, m):
    return codes(led, day, m, ["FP2"])


def test_fp201_three_due_months_unpaid(led):
    m = away(led, left="2025-01-15")
    assert dues_codes(led, "2025-03-31", m) == set()        # January and February due: 2 months
    assert dues_codes(led, "2025-04-01", m) == {"FP201"}    # January to March: 3 months


def test_fp202_six_months_and_never_together_with_fp201(led):
    m = away(led, left="2025-01-15")
    assert dues_codes(led, "2025-06-30", m) == {"FP201"}    # 5 months
    assert dues_codes(led, "2025-07-01", m) == {"FP202"}    # 6 months
    assert dues_codes(led, "2026-06-01", m) == {"FP202"}


def test_dues_run_counts_from_the_latest_paid_month(led):
    m = away(led, left="2025-01-15")
    step(led, records.record_dues, m, periods=[Month(2025, 1), Month(2025, 2)], amount_fen=200,
         paid_on=D("2025-03-01"))
    assert dues_codes(led, "2025-05-31", m) == set()        # March and April unpaid
    assert dues_codes(led, "2025-06-01", m) == {"FP201"}


def test_a_payment_dated_after_the_audit_date_does_not_count(led):
    m = away(led, left="2025-01-15")
    step(led, records.record_dues, m, periods=[Month(2025, i) for i in range(1, 7)], amount_fen=600,
         paid_on=D("2025-07-20"))
    assert dues_codes(led, "2025-07-19", m) == {"FP202"}
    assert dues_codes(led, "2025-07-20", m) == set()


def test_a_prepaid_period_counts_when_it_comes(led):
    m = away(led, left="2025-01-15")
    step(led, records.record_dues, m, periods=[Month(2025, i) for i in range(1, 13)], amount_fen=1200,
         paid_on=D("2025-01-20"))
    assert dues_codes(led, "2025-12-31", m) == set()
    assert dues_codes(led, "2026-03-31", m) == set()        # January and February 2026: 2
    assert dues_codes(led, "2026-04-01", m) == {"FP201"}


def test_a_quarterly_payer_owes_a_quarter_when_it_ends(led):
    m = away(led, left="2025-01-15", quarterly=True)
    assert dues_codes(led, "2025-03-31", m) == set()
    assert dues_codes(led, "2025-04-01", m) == {"FP201"}
    assert dues_codes(led, "2025-06-30", m) == {"FP201"}
    assert dues_codes(led, "2025-07-01", m) == {"FP202"}


def test_dues_start_at_the_since_month_and_join_month(led):
    before = away(led, "早走", left="2024-06-01")            # left before the ledger's since month 2025-01
    joined = away(led, "新党员", left="2025-01-15", joined=D("2025-03-10"))
    assert dues_codes(led, "2025-03-31", before) == set()
    assert dues_codes(led, "2025-04-01", before) == {"FP201"}
    assert dues_codes(led, "2025-05-31", joined) == set()     # March, April
    assert dues_codes(led, "2025-06-01", joined) == {"FP201"}


def test_home_members_owe_nothing_unless_the_branch_widens_dues(led):
    home = member(led, "在家")
    assert dues_codes(led, "2025-07-01", home) == set()
    with led.transaction("test"):
        led.set_setting("dues_everyone", 1)
    assert dues_codes(led, "2025-07-01", home) == {"FP202"}


# ---------------------------------------------------------------- reports, contact, org life, whereabouts


def test_fp301_report_period_twelve_months_or_six(led):
    m = away(led, left="2025-02-10")
    assert "FP301" not in codes(led, "2026-02-10", m)
    assert "FP301" in codes(led, "2026-02-11", m)
    with led.transaction("test"):
        led.set_setting("report_months", 6)
    assert "FP301" not in codes(led, "2025-08-10", m)
    assert "FP301" in codes(led, "2025-08-11", m)
    step(led, records.record_report, m, reported_on=D("2025-08-01"))
    assert "FP301" not in codes(led, "2026-02-01", m)
    assert "FP301" in codes(led, "2026-02-02", m)


def test_fp302_lost_contact_after_six_months_of_silence(led):
    m = away(led, left="2025-02-10")
    step(led, records.record_contact, m, contacted_on=D("2025-03-01"))
    assert "FP302" not in codes(led, "2025-09-01", m)
    assert "FP302" in codes(led, "2025-09-02", m)


@pytest.mark.parametrize("record", ["dues", "org_life", "report", "check_in", "change"])
def test_fp302_any_sign_of_life_counts_as_contact(led, record):
    m = away(led, left="2025-02-10")
    day = D("2025-04-01")
    if record == "dues":
        step(led, records.record_dues, m, periods=[Month(2025, 2)], amount_fen=100, paid_on=day)
    elif record == "org_life":
        step(led, records.record_org_life, m, held_on=day)
    elif record == "report":
        step(led, records.record_report, m, reported_on=day)
    elif record == "check_in":
        step(led, records.check_in, m, org="某党委", checked_in_on=day)
    else:
        step(led, records.update_outflow, m, changed_on=day, phone="13900000000")
    assert "FP302" not in codes(led, "2025-10-01", m)
    assert "FP302" in codes(led, "2025-10-02", m)


def test_fp303_six_months_without_org_life(led):
    m = away(led, left="2025-02-10")
    step(led, records.record_org_life, m, held_on=D("2025-03-05"))
    assert "FP303" not in codes(led, "2025-09-05", m)
    assert "FP303" in codes(led, "2025-09-06", m)


def test_fp304_no_phone_while_away(led):
    silent = away(led, "无电话", phone=None)
    reachable = away(led, "有电话")
    assert "FP304" in codes(led, "2025-02-10", silent)
    assert "FP304" not in codes(led, "2025-02-10", reachable)


# ---------------------------------------------------------------- transfer and groups


def test_fp401_six_months_at_a_fixed_place(led):
    m = away(led, left="2025-02-10", fixed=True)
    loose = away(led, "打零工", left="2025-02-10")
    assert "FP401" not in codes(led, "2025-08-09", m)
    assert "FP401" in codes(led, "2025-08-10", m)
    assert "FP401" not in codes(led, "2026-01-01", loose)


def test_fp401_stops_when_transferred(led):
    m = away(led, left="2025-02-10", fixed=True)
    step(led, records.transfer_out, m, to_org="宁波市某党委", transferred_on=D("2025-09-01"))
    assert "FP401" in codes(led, "2025-08-31", m)
    assert codes(led, "2025-09-01", m) == set()


def test_fp402_three_full_members_in_one_city(led):
    a, b = away(led, "甲"), away(led, "乙")
    away(led, "丙", probation_ends=D("2026-06-01"), probationary=True)
    assert "FP402" not in codes(led, "2025-03-01", select=["FP402"])  # two full members and one probationary
    c = away(led, "丁", left="2025-02-20")
    found = rules.run_audit(led, D("2025-03-01"), select=["FP402"])
    assert [(f.code, f.member_id, f.details["count"], f.since) for f in found] == [("FP402", None, 3, D("2025-02-20"))]
    with led.transaction("test"):
        records.add_group(led, name="宁波临时党小组", city="宁波市", leader=a, members=[b, c],
                          formed_on=D("2025-04-01"))
    assert "FP402" in codes(led, "2025-03-31", select=["FP402"])
    assert "FP402" not in codes(led, "2025-04-01", select=["FP402"])


# ---------------------------------------------------------------- probation


def test_fp501_then_fp502_never_together(led):
    m = away(led, joined=D("2024-06-30"), probationary=True, probation_ends=D("2025-06-30"))
    assert codes(led, "2025-04-30", m, ["FP5"]) == set()
    assert codes(led, "2025-05-01", m, ["FP5"]) == {"FP501"}   # 60 days before the end
    assert codes(led, "2025-06-30", m, ["FP5"]) == {"FP501"}
    assert codes(led, "2025-07-01", m, ["FP5"]) == {"FP502"}


def test_fp502_cleared_by_a_conversion_only_from_its_date(led):
    m = member(led, joined=D("2024-06-30"), probationary=True, probation_ends=D("2025-06-30"))
    step(led, records.convert, m, decided_on=D("2025-07-05"))
    assert codes(led, "2025-07-04", m, ["FP5"]) == {"FP502"}
    assert codes(led, "2025-07-05", m, ["FP5"]) == set()


def test_an_extension_after_the_audit_date_does_not_count(led):
    m = member(led, joined=D("2024-06-30"), probationary=True, probation_ends=D("2025-06-30"))
    step(led, records.convert, m, decided_on=D("2025-07-10"), extend_to=D("2026-01-15"))
    assert codes(led, "2025-07-09", m, ["FP5"]) == {"FP502"}
    assert codes(led, "2025-07-10", m, ["FP5"]) == set()
    assert codes(led, "2026-01-16", m, ["FP5"]) == {"FP502"}


# ---------------------------------------------------------------- inflow members


def inflow(led, name="外来", verified=False, branch=None):
    with led.transaction("test"):
        member_id = records.register_inflow(led, name=name, id_number=make_id(serial=next(_serial), birth="19900101"),
                                            origin_org="某县某村党支部", arrived_on=D("2025-02-10"),
                                            verified=verified, branch=branch)
    return led.get("members", member_id)


def test_fp601_fp602_unverified_and_unassigned(led):
    raw = inflow(led, "新来")
    done = inflow(led, "已办", verified=True, branch="第一支部")
    assert codes(led, "2025-02-10", raw, ["FP6"]) == {"FP601", "FP602"}
    assert codes(led, "2025-02-10", done, ["FP6"]) == set()
    step(led, records.check_in, raw, org="本村党委", checked_in_on=D("2025-03-01"), verified=True, branch="第二支部")
    assert codes(led, "2025-02-28", raw, ["FP60"]) == {"FP601", "FP602"}
    assert codes(led, "2025-03-01", raw, ["FP60"]) == set()


def test_fp603_twelve_months_without_feedback(led):
    m = inflow(led, verified=True, branch="第一支部")
    assert "FP603" not in codes(led, "2026-02-10", m)
    assert "FP603" in codes(led, "2026-02-11", m)
    step(led, records.record_feedback, m, sent_on=D("2025-06-01"))
    assert "FP603" not in codes(led, "2026-06-01", m)
    assert "FP603" in codes(led, "2026-06-02", m)


# ---------------------------------------------------------------- the ledger itself


def test_fp901_impossible_dates(led):
    m = away(led, left="2025-02-10")
    assert codes(led, "2025-03-01", select=["FP901"]) == set()
    led.conn.execute("UPDATE outflows SET ended_on = '2025-01-01', end_kind = 'returned' WHERE member_id = ?", [m["id"]])
    led.conn.execute("UPDATE reports SET reported_on = reported_on")
    led.conn.execute("INSERT INTO contacts (member_id, contacted_on, channel) VALUES (?, '2999-01-01', '电话')", [m["id"]])
    found = rules.run_audit(led, D("2025-03-01"), select=["FP901"])
    assert {f.member_id for f in found} == {m["id"]}
    messages = [f.message for f in found]
    assert any("2999-01-01" in t and "联系" in t for t in messages)
    assert any("返回（转出）日期 2025-01-01 早于外出日期 2025-02-10" in t for t in messages)
    assert any("活动证" in t and "晚于本次外出的返回" in t for t in messages)  # the card, issued after that return
    assert all("flowparty " in f.hint and "table" not in f.message for f in found)


# ---------------------------------------------------------------- todo


def test_todo_lists_what_falls_due_in_the_coming_days(led):
    m = away(led, left="2025-02-10")
    step(led, records.check_in, m, org="某党委", checked_in_on=D("2025-02-20"))
    assert rules.todo(led, D("2025-03-01"), days=60) == []          # dues February to April are due on 1 May
    items = rules.todo(led, D("2025-03-01"), days=61)
    assert [(f.code, f.since) for f in items] == [("FP201", D("2025-05-01"))]
    soon = rules.todo(led, D("2025-07-15"), days=40)
    assert [(f.code, f.since) for f in soon] == [("FP202", D("2025-08-01")), ("FP303", D("2025-08-11")),
                                                 ("FP302", D("2025-08-21"))]


def test_thresholds_are_ledger_settings(led):
    m = away(led, left="2025-02-10")
    with led.transaction("test"):
        led.set_setting("checkin_days", 10)
        led.set_setting("dues_error_months", 4)
    assert "FP104" not in codes(led, "2025-02-20", m)
    assert "FP104" in codes(led, "2025-02-21", m)
    assert dues_codes(led, "2025-05-01", m) == {"FP201"}     # February to April: 3
    assert dues_codes(led, "2025-06-01", m) == {"FP202"}     # 4 months is now the error
    assert rules.thresholds(led)["FP104"] == 10 and rules.thresholds(None)["FP104"] == 30


# ---------------------------------------------------------------- what a selection reads


def test_a_selected_rule_reads_only_its_own_facts(led):
    m = away(led, left="2025-02-10")
    step(led, records.record_report, m, reported_on=D("2025-03-01"), kind="思想汇报")
    seen: list[str] = []
    led.conn.set_trace_callback(seen.append)
    assert codes(led, "2025-09-01", m, select=["FP202"]) == {"FP202"}
    led.conn.set_trace_callback(None)
    read = "\n".join(seen)
    assert "FROM dues" in read
    assert not any(f"FROM {table}" in read for table in ("reports", "contacts", "org_life", "cards", "checkins"))
    everything = codes(led, "2025-09-01", m)  # the whole audit reads them all: the March report is contact
    assert {"FP202", "FP303"} <= everything and "FP302" not in everything
