"""Synthetic but realistic test data for the benchmark: Chinese names, valid 身份证号, several provinces, dues.

Deterministic (seeded), so every run measures the same rows. The workbook is written with xlsxwriter's
constant-memory mode and the audit ledger is bulk-inserted with executemany: that is data setup, not the
thing measured.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from flowparty.parse import Month, id_check_digit

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英建华建国志强文华春梅海燕红梅玉兰德明光荣永福学军"
# Home county codes (四川南充) and destinations in several provinces, as a clerk writes them.
HOME_AREAS = ("511302", "511303", "511304", "511321", "511322", "511323", "511324", "511325", "511381")
DESTINATIONS = (
    ("浙江省", "宁波市", "北仑区新碶街道"), ("广东省", "东莞市", "长安镇"), ("广东省", "深圳市", "宝安区西乡街道"),
    ("江苏省", "苏州市", "昆山市玉山镇"), ("福建省", "泉州市", "晋江市"), ("上海市", "上海市", "闵行区"),
    ("四川省", "成都市", "武侯区"), ("重庆市", "重庆市", "渝北区"), ("新疆维吾尔自治区", "乌鲁木齐市", "天山区"),
)
REASONS = ("务工", "务工", "务工", "经商", "就学", "居住")
EMPLOYERS = ("宁波某模具厂", "东莞某电子有限公司", "某建筑劳务公司", "个体经营", "某物流公司", None)
OUTFLOW_HEADERS = ("序号", "姓名", "性别", "身份证号", "联系电话", "入党时间", "党员类别", "外出时间", "外出地点",
                   "工作单位", "外出原因")
AS_OF = date(2026, 6, 30)
SINCE = Month(2021, 1)


def person(rng: random.Random, serial: int) -> tuple[str, str, str, date]:
    """A name, a valid 18-digit 身份证号 (unique per serial), the gender it encodes, and a join date."""
    area = HOME_AREAS[serial % len(HOME_AREAS)]
    # serial -> (area, birthday, sequence) one to one, so every 身份证号 is distinct: 4,500 people a birthday
    per_day = len(HOME_AREAS) * 500
    birth = date(1960, 1, 1) + timedelta(days=(serial // per_day) * 61 % 13500)
    male = rng.random() < 0.7
    seq = (serial // len(HOME_AREAS)) % 500 * 2 + (1 if male else 0)
    first17 = f"{area}{birth:%Y%m%d}{seq:03d}"
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
    joined = date(min(birth.year + rng.randint(19, 40), 2017), rng.randint(1, 12), rng.randint(1, 28))
    return name, first17 + id_check_digit(first17), "男" if male else "女", joined


def outflow_rows(n: int, seed: int = 6):
    """The rows of an outflow register (登记簿), one member each, in the template's column order."""
    rng = random.Random(seed)
    for i in range(n):
        name, id_number, gender, joined = person(rng, i)
        province, city, detail = rng.choice(DESTINATIONS)
        left = date(rng.randint(2018, 2026), rng.randint(1, 5), rng.randint(1, 28))
        yield (i + 1, name, gender, id_number, f"1{rng.choice('3589')}{rng.randint(0, 999999999):09d}",
               joined.isoformat(), "正式党员", left.isoformat(), f"{province} {city} {detail}",
               rng.choice(EMPLOYERS), rng.choice(REASONS))


def write_outflow_workbook(path: Path, n: int) -> Path:
    """A 登记簿 as a township sends it: a title row, the header, then n rows (constant memory)."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = book.add_worksheet("外出流动党员登记簿")
    ws.write_row(0, 0, ["某某村党支部外出流动党员登记簿"])
    ws.write_row(1, 0, OUTFLOW_HEADERS)
    for r, row in enumerate(outflow_rows(n), 2):
        ws.write_row(r, 0, row)
    book.close()
    return path


BEHIND = (0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 6, 12)  # months of arrears at AS_OF, one drawn per member


def build_audit_ledger(path: Path, n: int, months: int = 60, seed: int = 6, kept_up: float = 0.9,
                       behind: tuple[int, ...] = BEHIND) -> Path:
    """A ledger of n members, all away, each with `months` monthly dues ending 0–12 months before AS_OF (drawn
    from `behind`); `kept_up` of them (nine in ten) also hold a card (reviewed), a check-in, a recent report,
    contact and org life, the rest none of these.

    Bulk-inserted with executemany straight into tables made by flowparty.db.create (data setup only).
    """
    from flowparty import db, records

    rng = random.Random(seed)
    led = db.create(path)
    led.conn.execute("PRAGMA synchronous = OFF")  # setup of throwaway data: no need to wait for the disk
    led.conn.execute("PRAGMA cache_size = -262144")
    with led.transaction("bench setup"):
        records.initialize(led, branch="某某村党支部", committee="某某镇党委", code="3301", since=SINCE,
                           home_province="四川省", home_city="南充市")
    last_due = Month(AS_OF.year, AS_OF.month).plus(-1)
    members, outflows, dues, facts = [], [], [], []
    for i in range(n):
        name, id_number, gender, joined = person(rng, i)
        members.append((i + 1, id_number, name, gender, f"{id_number[6:10]}-{id_number[10:12]}-{id_number[12:14]}",
                        joined.isoformat(), "away", "2021-01-01", f"1{rng.choice('3589')}{rng.randint(0, 999999999):09d}"))
        province, city, detail = rng.choice(DESTINATIONS)
        outflows.append((i + 1, rng.choice(REASONS), province, city, detail, "2021-01-15"))
        if rng.random() < kept_up:  # most members are kept up: card, review, check-in, report, contact, org life
            facts.append((i + 1, f"3301{i + 1:08d}", rng.choice(("2026-02", "2026-04", "2026-05"))))
        stop = last_due.plus(-rng.choice(behind))  # some fall into arrears
        for k in range(months):
            period = stop.plus(-k)
            paid = min(period.last_day, AS_OF)
            dues.append((i + 1, str(period), 2000, paid.isoformat()))
        if len(dues) > 500_000:
            _flush(led, members, outflows, dues, facts)
    _flush(led, members, outflows, dues, facts)
    led.conn.execute("ANALYZE")
    led.conn.close()
    return path


def build_first_import_ledger(path: Path, n: int) -> Path:
    """A township's first import, where the audit flags nearly everyone: n members away, their dues recorded up to
    a year ago, no card, report, contact or org life yet — five findings a member (FP101, FP202, FP301–FP303)."""
    return build_audit_ledger(path, n, kept_up=0.0, behind=(12,))


def _flush(led, members: list, outflows: list, dues: list, facts: list) -> None:
    led.conn.execute("BEGIN")  # the ledger's connection autocommits: one transaction a chunk, not one a row
    led.conn.executemany("INSERT INTO members (id, id_number, name, gender, birth_date, joined_on, status,"
                         " added_on, phone) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", members)
    led.conn.executemany("INSERT INTO outflows (member_id, reason, province, city, address, left_on)"
                         " VALUES (?, ?, ?, ?, ?, ?)", outflows)
    led.conn.executemany("INSERT INTO dues (member_id, period, amount_fen, paid_on) VALUES (?, ?, ?, ?)", dues)
    c = led.conn
    c.executemany("INSERT INTO cards (id, member_id, outflow_id, card_no, issued_on, committee)"
                  " VALUES (?1, ?1, ?1, ?2, '2021-01-20', '某某镇党委')", [f[:2] for f in facts])
    c.executemany("INSERT INTO card_reviews (card_id, reviewed_on) VALUES (?, ?)",
                  [(f[0], f[2] + "-10") for f in facts])
    c.executemany("INSERT INTO checkins (member_id, outflow_id, org, checked_in_on, branch, verified, filed)"
                  " VALUES (?1, ?1, '流入地党组织', '2021-02-01', '流动党员党支部', 1, 1)", [f[:1] for f in facts])
    for table, column, extra in (("reports", "reported_on", "kind) VALUES (?, ?, '思想汇报')"),
                                 ("contacts", "contacted_on", "channel) VALUES (?, ?, '电话')"),
                                 ("org_life", "held_on", "kind) VALUES (?, ?, '主题党日')")):
        c.executemany(f"INSERT INTO {table} (member_id, {column}, {extra}", [(f[0], f[2] + "-15") for f in facts])
    led.conn.execute("COMMIT")
    members.clear(), outflows.clear(), dues.clear(), facts.clear()


DUES_HEADERS = ("姓名", "身份证号", "所属月份", "金额", "交纳日期")
DUES_YEAR = 2025


def write_dues_csv(path: Path, ledger: Path, months: int = 12) -> Path:
    """A year of monthly dues for every member of `ledger`, as a CSV a clerk exports from Excel (UTF-8 with
    BOM): one row a member and month, members in roster order, 20.00 元 paid on the month's last day."""
    import csv
    import sqlite3

    conn = sqlite3.connect(f"file:{ledger}?mode=ro", uri=True)
    periods = [(str(m), m.last_day.isoformat()) for m in (Month(DUES_YEAR, k + 1) for k in range(months))]
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(DUES_HEADERS)
        for name, id_number in conn.execute("SELECT name, id_number FROM members ORDER BY id"):
            writer.writerows((name, id_number, period, "20.00", paid) for period, paid in periods)
    conn.close()
    return path
