"""flowparty demo: a realistic village branch in a ledger file of its own, for a new user to look around in.

Everything is recorded through the same steps as the real commands (records.py inside one transaction), dated
relative to today, from a fixed seed, so the demo behaves like a clerk's ledger and the audit finds a
realistic mix: a group missing in one city, dues behind, a card never inspected, probation ending.
The file is marked with the setting demo=1; only a file so marked is ever replaced.
"""

from __future__ import annotations

import os
import random
import sqlite3
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from flowparty import db, records
from flowparty import labels as L
from flowparty.asof import add_months
from flowparty.db import as_date
from flowparty.errors import BadInput, FlowpartyError
from flowparty.parse import Destination, Month, id_check_digit

DEMO_FILE = "flowparty-demo.db"
DEMO_SETTING = "demo"
SEED = 2006  # the year of the 意见; any fixed number keeps the demo the same from run to run
HOME_AREA = "511321"  # 四川省 南充市 南部县
BRANCH = dict(branch="青山村党支部", committee="青山镇党委", code="5113", home_province="四川省", home_city="南充市")
SINCE_MONTHS = 24
MONTHLY_FEN = {"工人": 3000, "专业技术人员": 6000, "企事业单位管理人员": 5000, "学生": 20, "农牧渔民": 50,
               "离退休人员": 1000, "其他职业": 2000}


def target(explicit: Path | None) -> Path:
    """--db when given; otherwise a demo file in the current folder (never FLOWPARTY_DB, never the default)."""
    return Path(explicit).expanduser() if explicit else Path(DEMO_FILE)


def is_demo(path: Path) -> bool:
    """A ledger made by this command (demo=1). A file that is no ledger at all is not a demo either."""
    try:
        led = db.open_ledger(path, readonly=True)
        try:
            return led.setting(DEMO_SETTING) == "1"
        finally:
            led.close()
    except (FlowpartyError, sqlite3.DatabaseError):
        return False


def build(path: Path, today: date) -> None:
    """Write the demo ledger to path: built beside it first, so a failed build leaves the old file alone."""
    if path.exists() and not is_demo(path):
        raise BadInput(L.DEMO_NOT_DEMO.format(path=path), L.DEMO_NOT_DEMO_HINT)
    scratch = path.with_name(f".{path.name}.building")
    db.discard(scratch)
    led = db.create(scratch)
    try:
        with led.transaction("demo"):
            Village(led, today).populate()
    except BaseException:
        led.close()
        db.discard(scratch)
        raise
    led.close()
    db.discard(path)
    os.replace(scratch, path)


def summary(led: db.Ledger) -> dict:
    """What the clerk wants to see first: the branch, how many of each status, where the away ones are."""
    by_status = dict(led.all("SELECT status, count(*) FROM members GROUP BY status"))
    places = led.all("SELECT o.province, o.city, count(*) AS n FROM outflows o JOIN members m ON m.id = o.member_id"
                     " WHERE o.ended_on IS NULL GROUP BY o.province, o.city ORDER BY n DESC, o.province, o.city")
    return {
        "branch": led.setting("branch"), "committee": led.setting("committee"), "since": led.setting("since"),
        "home": f"{led.setting('home_province')}{led.setting('home_city')}",
        "total": sum(by_status.values()), "by_status": {s: by_status.get(s, 0) for s in L.STATUS},
        "probationary": led.scalar("SELECT count(*) FROM members WHERE category = 'probationary'"),
        "places": [(r["province"], r["city"], r["n"]) for r in places],
    }


# ---------------------------------------------------------------- the village


@dataclass(frozen=True)
class Away:
    """One member working away and how well the branch has kept up with them (the knobs the audit sees)."""

    name: str
    born: int
    male: bool
    occupation: str
    to: tuple[str, str, str]
    reason: str
    employer: str | None
    unit_type: str | None
    left_days: int              # left this many days before today
    card: bool = True           # 活动证 issued (a few days after leaving)
    reviewed: bool = True       # card reviewed each year
    checked_in: bool = True
    dues_behind: int = 0        # due months left unpaid at the end
    quarterly: bool = False
    silent_days: int = 0        # no report, contact or org life for this long
    report_days: int = 150      # interval between reports
    last_report_days: int = 0   # the last report this many days ago (at least)
    phone: bool = True
    fixed: bool = False
    probation_days: int | None = None  # probationary; probation ends this many days from today (negative: past)


AWAY = (
    Away("王建国", 1975, True, "工人", ("浙江省", "宁波市", "北仑区新碶街道"), "务工", "宁波甬兴五金制品有限公司",
         "非公有制企业", 640, quarterly=True),
    Away("李秀英", 1982, False, "工人", ("浙江省", "宁波市", "北仑区大碶街道"), "务工", "宁波海曙服装厂", "非公有制企业", 560),
    Away("张伟", 1988, True, "工人", ("浙江省", "宁波市", "鄞州区"), "务工", "宁波恒达模具有限公司", "非公有制企业", 420),
    Away("刘洋", 1990, True, "工人", ("广东省", "深圳市", "宝安区福永街道"), "务工", "深圳鑫达电子有限公司", "非公有制企业", 600),
    Away("陈静", 1993, False, "专业技术人员", ("广东省", "深圳市", "南山区粤海街道"), "务工", "深圳云启软件有限公司",
         "非公有制企业", 480, dues_behind=4),
    Away("杨帆", 1986, True, "其他职业", ("广东省", "深圳市", "龙岗区布吉街道"), "经商", "个体（服装批发）", "个体工商户", 700,
         last_report_days=430),
    Away("黄志强", 1979, True, "工人", ("广东省", "东莞市", "长安镇"), "务工", "东莞长安五金加工厂", "非公有制企业", 660,
         dues_behind=7, silent_days=250),
    Away("周丽", 1999, False, "工人", ("广东省", "东莞市", "虎门镇"), "务工", "东莞虎门制衣有限公司", "非公有制企业", 300,
         probation_days=-20),
    Away("吴磊", 1984, True, "工人", ("江苏省", "苏州市", "工业园区"), "务工", "苏州精工电子有限公司", "非公有制企业", 450,
         reviewed=False),
    Away("赵敏", 1998, False, "工人", ("江苏省", "苏州市", "吴中区"), "务工", "苏州吴中纺织有限公司", "非公有制企业", 280,
         probation_days=30),
    Away("唐志刚", 1983, True, "工人", ("江苏省", "苏州市", "昆山市"), "务工", "昆山宏达机械有限公司", "非公有制企业", 520,
         dues_behind=3),
    Away("孙浩", 2003, True, "学生", ("四川省", "成都市", "郫都区"), "就学", "成都某职业技术学院", "事业单位", 420),
    Away("郑红梅", 1980, False, "其他职业", ("四川省", "成都市", "金牛区"), "经商", "个体（餐饮）", "个体工商户", 55,
         checked_in=False),
    Away("何德明", 1972, True, "其他职业", ("新疆维吾尔自治区", "乌鲁木齐市", "沙依巴克区"), "经商", "个体（农产品批发）",
         "个体工商户", 690, quarterly=True, fixed=True),
    Away("罗小军", 1995, True, "工人", ("北京市", "北京市", "朝阳区"), "务工", "北京某物流有限公司", "非公有制企业", 10,
         card=False),
    Away("谢春燕", 1987, False, "工人", ("上海市", "上海市", "松江区"), "务工", "上海松江食品有限公司", "非公有制企业", 380,
         quarterly=True),
    Away("邓丽华", 1991, False, "工人", ("浙江省", "杭州市", "萧山区"), "务工", "杭州萧山化纤厂", "非公有制企业", 200,
         phone=False),
)

HOME = (  # name, born, male, occupation
    ("王德福", 1952, True, "农牧渔民"), ("李桂兰", 1958, False, "农牧渔民"), ("张国华", 1962, True, "农牧渔民"),
    ("刘淑珍", 1966, False, "农牧渔民"), ("陈德胜", 1955, True, "离退休人员"), ("杨秀兰", 1970, False, "农牧渔民"),
    ("黄建军", 1968, True, "农牧渔民"), ("赵玉梅", 1973, False, "农牧渔民"), ("周国强", 1960, True, "农牧渔民"),
    ("吴桂芳", 1964, False, "农牧渔民"), ("徐志明", 1977, True, "专业技术人员"), ("孙丽娟", 1985, False, "其他职业"),
    ("胡建华", 1948, True, "离退休人员"),
)

GROUP = ("宁波市流动党员临时党小组", "宁波市", ("王建国", "李秀英", "张伟"))


class Village:
    """Writes the demo branch, one member at a time, through the domain steps."""

    def __init__(self, led: db.Ledger, today: date) -> None:
        self.led, self.today = led, today
        self.rng = random.Random(SEED)
        self.since = Month.of(today).plus(-SINCE_MONTHS)
        self.serial = 0

    def populate(self) -> None:
        records.initialize(self.led, since=self.since, **BRANCH)
        self.led.set_setting(DEMO_SETTING, 1)
        for spec in HOME:
            self.home_member(*spec)
        for away in AWAY:
            self.away_member(away)
        self.group()
        self.returned("朱海涛", 1981, True, ("广东省", "佛山市", "顺德区"), left=500, back=120, inspected_after=5)
        self.returned("高永刚", 1978, True, ("浙江省", "温州市", "瓯海区"), left=400, back=45, inspected_after=None)
        self.transferred()
        self.inflows()

    # -- small helpers

    def ago(self, days: int) -> date:
        return self.today - timedelta(days=days)

    def jitter(self, day: date, most: int = 9) -> date:
        """A few days later, never after today."""
        return min(self.today, day + timedelta(days=self.rng.randint(0, most)))

    def id_number(self, born: int, male: bool, area: str = HOME_AREA) -> str:
        self.serial += 1
        first17 = (f"{area}{born}{self.rng.randint(1, 12):02d}{self.rng.randint(1, 28):02d}{self.serial % 100:02d}"
                   f"{self.rng.choice('13579' if male else '02468')}")
        return first17 + id_check_digit(first17)

    def phone(self) -> str:
        return f"1{self.rng.choice(('38', '39', '58', '59', '77', '80', '88'))}{self.rng.randint(0, 10**8 - 1):08d}"

    def member(self, member_id: int):
        return self.led.get("members", member_id)

    def add(self, name: str, born: int, male: bool, occupation: str, *, phone: bool = True, quarterly: bool = False,
            probation_days: int | None = None) -> int:
        if probation_days is None:
            joined = min(date(born + self.rng.randint(20, 32), self.rng.randint(1, 12), 1), self.ago(800))
        else:
            joined = self.today + timedelta(days=probation_days - 365)
        return records.add_member(self.led, name=name, id_number=self.id_number(born, male),
                                  phone=self.phone() if phone else None, joined=joined,
                                  probationary=probation_days is not None, quarterly=quarterly,
                                  occupation=occupation, added_on=max(joined, self.since.first_day))

    def first_due(self, member_id: int) -> Month:
        """The first month a member owes dues in the ledger: the since month, or the month after joining."""
        joined = Month.of(as_date(self.member(member_id)["joined_on"]))
        return self.since if joined.index < self.since.index else joined.plus(1)

    def dues(self, member_id: int, occupation: str, *, first: Month, behind: int = 0, quarterly: bool = False,
             chunk: int = 3) -> None:
        """Months paid from first to the last due month less `behind`, a few at a time, each soon after."""
        last = Month.of(self.today).plus(-1)
        if quarterly:
            last = last.plus(-(last.month % 3))
            first = first.plus(-((first.month - 1) % 3))
        last = last.plus(-behind)
        month = first
        while month.index <= last.index:
            end = Month.from_index(min(last.index, month.index + chunk - 1))
            periods = [Month.from_index(i) for i in range(month.index, end.index + 1)]
            records.record_dues(self.led, self.member(member_id), periods=periods,
                                amount_fen=MONTHLY_FEN[occupation] * len(periods),
                                paid_on=self.jitter(end.plus(1).first_day))
            month = end.plus(1)

    def every(self, start: date, end_days: int, days: int) -> list[date]:
        """Dates after start, about `days` apart, the last one end_days (plus a little) before today."""
        day, found = self.ago(end_days + self.rng.randint(0, days // 3)), []
        while day > start:
            found.append(day)
            day -= timedelta(days=days + self.rng.randint(-days // 6, days // 6))
        return found[::-1]

    # -- the roster

    def home_member(self, name: str, born: int, male: bool, occupation: str) -> None:
        member_id = self.add(name, born, male, occupation)
        self.dues(member_id, occupation, first=self.first_due(member_id), chunk=6)
        for day in self.every(self.since.first_day, 0, 90):
            records.record_org_life(self.led, self.member(member_id), held_on=day,
                                    kind=self.rng.choice(("主题党日", "支部党员大会", "党课")), place="home")

    def away_member(self, a: Away) -> None:
        member_id = self.add(a.name, a.born, a.male, a.occupation, phone=a.phone, quarterly=a.quarterly,
                             probation_days=a.probation_days)
        left = self.ago(a.left_days)
        records.register_outflow(self.led, self.member(member_id), destination=Destination(*a.to), reason=a.reason,
                                 left_on=left, employer=a.employer, unit_type=a.unit_type,
                                 phone=self.phone() if a.phone else None, fixed=a.fixed, briefed=True)
        if a.card:
            self.card(member_id, a, left)
        self.dues(member_id, a.occupation, first=self.first_due(member_id), behind=a.dues_behind, quarterly=a.quarterly)
        for day in self.every(left, max(a.silent_days, a.last_report_days), a.report_days):
            records.record_report(self.led, self.member(member_id), reported_on=day, summary=L.DEMO_REPORT)
        for day in self.every(left, a.silent_days, 60):
            records.record_contact(self.led, self.member(member_id), contacted_on=day,
                                   channel=self.rng.choice(("电话", "微信", "微信")), note=L.DEMO_CONTACT)
        for day in self.every(left, a.silent_days, 75):
            records.record_org_life(self.led, self.member(member_id), held_on=day,
                                    kind=self.rng.choice(("主题党日", "党小组会", "组织生活会")), place="inflow")

    def card(self, member_id: int, a: Away, left: date) -> None:
        issued = self.jitter(left + timedelta(days=3), 10)
        records.issue_card(self.led, self.member(member_id), issued_on=issued)
        if a.checked_in:
            records.check_in(self.led, self.member(member_id), org=L.DEMO_CHECKIN_ORG.format(city=a.to[1], area=a.to[2]),
                             checked_in_on=self.jitter(issued + timedelta(days=5), 14), verified=True, filed=True)
        if not a.reviewed:
            return
        year = 1
        while (review := add_months(issued, 12 * year) - timedelta(days=self.rng.randint(0, 20))) <= self.today:
            records.review_card(self.led, self.member(member_id), reviewed_on=review, reviewer=BRANCH["committee"])
            year += 1

    def find(self, name: str):
        return records.find_member(self.led, name)

    def group(self) -> None:
        name, city, names = GROUP
        leader, *others = [self.find(n) for n in names]
        records.add_group(self.led, name=name, city=city, leader=leader, members=others, formed_on=self.ago(300))

    def returned(self, name: str, born: int, male: bool, to: tuple[str, str, str], *, left: int, back: int,
                 inspected_after: int | None) -> None:
        """A member who went away and came home; the card is inspected when inspected_after is given."""
        member_id = self.add(name, born, male, "工人")
        records.register_outflow(self.led, self.member(member_id), destination=Destination(*to), reason="务工",
                                 left_on=self.ago(left), phone=self.phone(), briefed=True)
        records.issue_card(self.led, self.member(member_id), issued_on=self.ago(left - 5))
        records.check_in(self.led, self.member(member_id), org=L.DEMO_CHECKIN_ORG.format(city=to[1], area=to[2]),
                         checked_in_on=self.ago(left - 15), verified=True)
        self.dues(member_id, "工人", first=self.first_due(member_id))
        records.return_home(self.led, self.member(member_id), returned_on=self.ago(back), summary=L.DEMO_RETURN)
        if inspected_after is not None:
            records.inspect_card(self.led, self.member(member_id), inspected_on=self.ago(back - inspected_after))

    def transferred(self) -> None:
        member_id = self.add("林晓燕", 1992, False, "专业技术人员")
        records.register_outflow(self.led, self.member(member_id), destination=Destination("江苏省", "南京市", "江宁区"),
                                 reason="务工", left_on=self.ago(600), employer="南京江宁某科技有限公司",
                                 phone=self.phone(), fixed=True, briefed=True)
        records.issue_card(self.led, self.member(member_id), issued_on=self.ago(595))
        records.check_in(self.led, self.member(member_id), org=L.DEMO_CHECKIN_ORG.format(city="南京市", area="江宁区"),
                         checked_in_on=self.ago(580), verified=True)
        self.dues(member_id, "专业技术人员", first=self.first_due(member_id), behind=6)
        records.transfer_out(self.led, self.member(member_id), to_org=L.DEMO_TRANSFER_TO, transferred_on=self.ago(150))

    def inflows(self) -> None:
        """One member from 重庆 verified and placed in a branch; one from 贵州 just arrived, not yet verified."""
        guo = records.register_inflow(self.led, name="郭明辉", id_number=self.id_number(1986, True, "500234"),
                                      origin_org=L.DEMO_ORIGIN_CHONGQING, arrived_on=self.ago(240),
                                      origin_card_no="500234202400153", branch=BRANCH["branch"], verified=True,
                                      phone=self.phone())
        for day in self.every(self.ago(240), 0, 110):
            records.record_feedback(self.led, self.member(guo), sent_on=day, note=L.DEMO_FEEDBACK)
        records.record_org_life(self.led, self.member(guo), held_on=self.ago(40), kind="主题党日", place="inflow")
        records.register_inflow(self.led, name="梁春花", id_number=self.id_number(1990, False, "520502"),
                                origin_org=L.DEMO_ORIGIN_GUIZHOU, arrived_on=self.ago(20), phone=self.phone())
