"""SPEC §8 township merge: the township's audit is the union of the branches' audits on the same date, whatever
the township ledger's own since month; a 身份证号 two branch ledgers hold is named in the merge summary."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest

from flowparty import db, merge, records, rules
from flowparty.parse import Month, parse_destination
from tests.ids import make_id

D = date
ZHANG, LI, WANG, ZHAO = (make_id(serial=n) for n in (11, 12, 13, 14))
AUDIT_DAY = D(2026, 6, 30)


def _ledger(path, branch, code, since):
    led = db.create(path)
    with led.transaction("init"):
        records.initialize(led, branch=branch, committee="青山镇党委", code=code, since=since)
    return led


def _away(led, name, id_number, to, left):
    member = led.get("members", records.add_member(led, name=name, id_number=id_number, joined=D(2010, 7, 1)))
    records.register_outflow(led, member, destination=parse_destination(to), reason="务工", left_on=left,
                             phone="13800000000")
    return records.reload(led, member)


@pytest.fixture
def branch_a(tmp_path):
    """青山村 (since 2025-01): 张三 back home 2025-03-10 with his card never inspected (FP103), 李四 away."""
    path = tmp_path / "青山村.db"
    led = _ledger(path, "青山村党支部", "3301", Month(2025, 1))
    with led.transaction("test"):
        zhang = _away(led, "张三", ZHANG, "浙江省 宁波市 北仑区", D(2025, 1, 5))
        records.issue_card(led, zhang, issued_on=D(2025, 1, 6))
        records.return_home(led, records.reload(led, zhang), returned_on=D(2025, 3, 10))
        li = _away(led, "李四", LI, "广东省 深圳市 宝安区", D(2025, 2, 1))
        records.issue_card(led, li, issued_on=D(2025, 2, 2))
    led.close()
    return path


def _findings(path, day=AUDIT_DAY):
    led = db.open_ledger(path, readonly=True)
    try:
        return {(f.code, f.id_number, f.since) for f in rules.run_audit(led, day) if f.code != "FP901"}
    finally:
        led.close()


def _township(tmp_path, since, *branches):
    path = tmp_path / "镇.db"
    led = _ledger(path, "青山镇党委", "3300", since)
    try:
        with led.transaction("merge"):
            tallies = [merge.merge(led, merge.read_source(b, led))[1] for b in branches]
    finally:
        led.close()
    return path, tallies


def test_a_township_with_the_branches_since_finds_what_the_branch_finds(branch_a, tmp_path):
    town, _ = _township(tmp_path, Month(2025, 1), branch_a)
    assert ("FP103", ZHANG, D(2025, 4, 10)) in _findings(branch_a) or any(
        f[0] == "FP103" for f in _findings(branch_a))
    assert _findings(town) == _findings(branch_a)


def test_a_township_made_later_still_finds_the_branchs_fp103(branch_a, tmp_path):
    town, _ = _township(tmp_path, Month(2026, 6), branch_a)
    assert {f for f in _findings(town) if f[0] == "FP103"} == {f for f in _findings(branch_a) if f[0] == "FP103"}


def test_the_township_keeps_each_branchs_own_since(branch_a, tmp_path):
    town, _ = _township(tmp_path, Month(2026, 6), branch_a)
    with sqlite3.connect(town) as conn:
        assert conn.execute("SELECT name, since FROM branches").fetchall() == [("青山村党支部", "2025-01")]
    ours = {f for f in _findings(town) if f[0] != "FP103"}
    assert ours == {f for f in _findings(branch_a) if f[0] != "FP103"}  # every rule but FP103 already agrees


def test_an_outflow_of_one_branch_that_is_an_inflow_of_another_is_linked_and_named(branch_a, tmp_path):
    b = tmp_path / "绿水村.db"
    led = _ledger(b, "绿水村党支部", "3302", Month(2025, 1))
    with led.transaction("test"):
        records.register_inflow(led, name="李四", id_number=LI, origin_org="青山村党支部", arrived_on=D(2025, 2, 10),
                                verified=True, branch="绿水村党支部")
        records.add_member(led, name="王五", id_number=WANG)
    led.close()
    for order in ((branch_a, b), (b, branch_a)):
        (tmp_path / "镇.db").unlink(missing_ok=True)
        town, tallies = _township(tmp_path, Month(2025, 1), *order)
        lines = merge.summary_lines(tallies)
        assert lines[0] == "两个支部台账都有的身份证号 1 个："
        assert LI in lines[1] and "青山村党支部登记为外出、绿水村党支部登记为外来" in lines[1] and "已关联" in lines[1]
        with sqlite3.connect(town) as conn:
            assert conn.execute("SELECT m.status, b.name FROM members m JOIN branches b ON b.id = m.branch_id"
                                " WHERE m.id_number = ?", [LI]).fetchall() == [("away", "青山村党支部")]
            assert conn.execute("SELECT count(*) FROM inflows i JOIN members m ON m.id = i.member_id"
                                " WHERE m.id_number = ?", [LI]).fetchone() == (1,)


def test_a_linked_member_is_audited_by_both_branches_rules(branch_a, tmp_path):
    b = tmp_path / "绿水村.db"
    led = _ledger(b, "绿水村党支部", "3302", Month(2025, 1))
    with led.transaction("test"):
        records.register_inflow(led, name="李四", id_number=LI, origin_org="青山村党支部", arrived_on=D(2025, 2, 10),
                                verified=True, branch="绿水村党支部")
    led.close()
    town, _ = _township(tmp_path, Month(2025, 1), branch_a, b)
    assert _findings(town) == _findings(branch_a) | _findings(b)


def test_a_member_transferred_between_branches_is_named_too(branch_a, tmp_path):
    led = db.open_ledger(branch_a)
    with led.transaction("test"):
        zhao = led.get("members", records.add_member(led, name="赵六", id_number=ZHAO))
        records.transfer_out(led, zhao, to_org="绿水村党支部", transferred_on=D(2025, 9, 1))
    led.close()
    b = tmp_path / "绿水村.db"
    led = _ledger(b, "绿水村党支部", "3302", Month(2025, 1))
    with led.transaction("test"):
        records.add_member(led, name="赵六", id_number=ZHAO, added_on=D(2025, 9, 2))
    led.close()
    _, tallies = _township(tmp_path, Month(2025, 1), branch_a, b)
    lines = merge.summary_lines(tallies)
    assert len(lines) == 2 and ZHAO in lines[1] and "青山村党支部（已转出）" in lines[1] and "绿水村党支部（在家）" in lines[1]
    assert merge.summary_lines([merge.Tally()]) == []


def test_a_township_made_later_still_finds_the_branchs_fp603(tmp_path):
    b = tmp_path / "绿水村.db"
    led = _ledger(b, "绿水村党支部", "3302", Month(2025, 1))
    with led.transaction("test"):
        records.register_inflow(led, name="李四", id_number=LI, origin_org="青山村党支部", arrived_on=D(2025, 2, 10),
                                verified=True, branch="绿水村党支部")
    led.close()
    assert any(f[0] == "FP603" for f in _findings(b))
    town, _ = _township(tmp_path, Month(2026, 6), b)
    assert _findings(town) == _findings(b)
