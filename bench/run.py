"""flowparty's benchmark: every figure is a ratio against a floor measured in the same run on the same data.

    .venv/bin/python -m bench.run            # 1,000, 10,000 and 100,000 rows (several minutes)
    .venv/bin/python -m bench.run --big      # also the 1,000,000-row import and its peak memory

Each variant runs in a fresh subprocess (the real `flowparty` console script, end to end, against the
ledger in FLOWPARTY_DB), variants interleaved, at least 3 runs each; the table shows medians with min–max,
the ratio of the medians, the target and whether it is met. Peak memory is the child's own ru_maxrss
(os.wait4), so every measurement is a fresh process. The machine is shared: read the ratios, not the seconds.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

from bench import data

BIN = Path(sys.executable).parent
FLOWPARTY = str(BIN / "flowparty")
PYTHON = sys.executable

# ---------------------------------------------------------------- the floors, as scripts of their own

FLOOR_IMPORT = """
import sqlite3, sys
from python_calamine import CalamineWorkbook
rows = CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_index(0).to_python()[2:]
conn = sqlite3.connect(sys.argv[2])
conn.execute("CREATE TABLE t (seq, name, gender, id_number, phone, joined, category, left_on, destination,"
             " employer, reason)")
with conn:
    conn.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
"""

FLOOR_DUES = """
import csv, sqlite3, sys
with open(sys.argv[1], encoding="utf-8-sig", newline="") as f:
    rows = list(csv.reader(f))[1:]
conn = sqlite3.connect(sys.argv[2])
conn.execute("CREATE TABLE d (name, id_number, period, amount, paid_on, PRIMARY KEY (id_number, period))")
with conn:
    conn.executemany("INSERT INTO d VALUES (?, ?, ?, ?, ?)", rows)
"""

# Members away on the day whose trailing run of unpaid months (from the month after the last paid period,
# not before the outflow or the since month, up to the last due month) is six or more.
FLOOR_AUDIT = """
import sqlite3, sys
conn = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
idx = lambda c: f"(CAST(substr({c}, 1, 4) AS INTEGER) * 12 + CAST(substr({c}, 6, 2) AS INTEGER) - 1)"
last = ("(SELECT p.period FROM dues p WHERE p.member_id = m.id AND p.void_reason IS NULL AND p.period <= :due"
        " AND p.paid_on <= :d"
        " ORDER BY p.period DESC LIMIT 1)")
sql = f'''
SELECT id, name, run FROM (
  SELECT m.id, m.name, :last_due - max({idx('o.left_on')}, :since, COALESCE({idx(last)} + 1, 0)) + 1 AS run
  FROM members m JOIN outflows o ON o.member_id = m.id AND o.left_on <= :d AND (o.ended_on IS NULL OR o.ended_on > :d))
WHERE run >= 6'''
rows = conn.execute(sql, dict(d=sys.argv[2], last_due=int(sys.argv[3]), since=int(sys.argv[4]), due=sys.argv[5]))
print(len(rows.fetchall()))
"""

# Every dated fact the rules read, for every member away on the day: what SQLite alone needs to produce the
# audit's inputs (latest card issue and review, check-in, report, contact, org life, paid month, outflow start
# and changes), one correlated index seek per fact and member, every row fetched.
FLOOR_FACTS = """
import sqlite3, sys
conn = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
latest = lambda table, column: (f"(SELECT max(x.{column}) FROM {table} x WHERE x.member_id = m.id"
                                f" AND x.{column} <= :d AND x.void_reason IS NULL)")
sql = f'''
SELECT m.id, o.left_on,
  (SELECT max(c.issued_on) FROM cards c WHERE c.member_id = m.id AND c.issued_on <= :d
     AND (c.voided_on IS NULL OR c.voided_on > :d)),
  (SELECT max(r.reviewed_on) FROM cards c JOIN card_reviews r ON r.card_id = c.id WHERE c.member_id = m.id
     AND r.reviewed_on <= :d AND r.void_reason IS NULL),
  {latest('checkins', 'checked_in_on')}, {latest('reports', 'reported_on')}, {latest('contacts', 'contacted_on')},
  {latest('org_life', 'held_on')}, {latest('outflow_changes', 'changed_on')},
  (SELECT p.period FROM dues p WHERE p.member_id = m.id AND p.void_reason IS NULL AND p.paid_on <= :d
     ORDER BY p.period DESC LIMIT 1)
FROM members m JOIN outflows o ON o.member_id = m.id AND o.left_on <= :d AND (o.ended_on IS NULL OR o.ended_on > :d)'''
print(len(conn.execute(sql, {"d": sys.argv[2]}).fetchall()))
"""

FLOOR_EXPORT = """
import sqlite3, sys, xlsxwriter
conn = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
book = xlsxwriter.Workbook(sys.argv[2], {"constant_memory": True})
ws = book.add_worksheet()
sql = ("SELECT o.id, m.name, m.gender, m.id_number, m.phone, m.joined_on, o.left_on, o.province || ' ' || o.city,"
       " o.address, o.reason, o.employer, o.unit_type, c.card_no, o.ended_on, o.end_kind FROM outflows o"
       " JOIN members m ON m.id = o.member_id LEFT JOIN cards c ON c.member_id = m.id AND c.voided_on IS NULL")
for r, row in enumerate(conn.execute(sql)):  # 15 of the register's columns, as they come
    ws.write_row(r, 0, row)
book.close()
"""

# The same rows and columns as `export register` (its own query: all 25 columns, the card on the day, in the
# register's order), written as they come: what xlsxwriter alone costs for the sheet flowparty writes.
FLOOR_EXPORT_REGISTER = """
import sqlite3, sys, xlsxwriter
from flowparty.export import _REGISTER_SQL
conn = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
book = xlsxwriter.Workbook(sys.argv[2], {"constant_memory": True})
ws = book.add_worksheet()
for r, row in enumerate(conn.execute(_REGISTER_SQL, {"d": sys.argv[3]})):
    ws.write_row(r, 0, row)
book.close()
"""


# ---------------------------------------------------------------- measuring


@dataclass
class Sample:
    seconds: float
    rss_mib: float


def run_once(argv: list[str], env: dict | None = None) -> Sample:
    """Wall time and peak resident set size of one fresh child process; a failure stops the benchmark."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if proc.returncode not in (0, 1):  # audit exits 1 when it finds errors: that is its answer, not a failure
        raise SystemExit(f"benchmark step failed ({proc.returncode}): {' '.join(argv)}\n{err[-2000:]}")
    return Sample(elapsed, usage.ru_maxrss / 1024)


@dataclass
class Variant:
    name: str
    argv: Callable[[], list[str]]  # called after setup, just before the timed run
    setup: Callable[[], None] = lambda: None
    env: dict | None = None
    samples: list[Sample] = field(default_factory=list)


def measure(variants: list[Variant], runs: int) -> None:
    """Interleaved: A B A B …, so a noisy minute hurts both sides alike."""
    for _ in range(runs):
        for v in variants:
            v.setup()
            v.samples.append(run_once(v.argv(), v.env))


@dataclass
class Row:
    what: str
    size: str
    ours: Variant
    floor: Variant | None
    target: float | None  # the largest acceptable ratio
    absolute: float | None = None  # the largest acceptable median, seconds
    memory: float | None = None  # the largest acceptable peak, MiB

    def cells(self) -> list[str]:
        mine = [s.seconds for s in self.ours.samples]
        cells = [self.what, self.size, _spread(mine)]  # seconds; peak MiB for a memory row
        ok = True
        if self.memory is not None:
            peaks = [s.rss_mib for s in self.ours.samples]
            base = [s.rss_mib for s in self.floor.samples]
            cells[2] = _spread(peaks, "MiB")
            cells += [_spread(base, "MiB"), f"{statistics.median(peaks) / statistics.median(base):.2f}×",
                      f"≤ {self.memory:.0f} MiB"]
            ok = max(peaks) <= self.memory
        else:
            base = [s.seconds for s in self.floor.samples]
            ratio = statistics.median(mine) / statistics.median(base)
            goal = f"≤ {self.target}×" if self.target else "—"
            if self.absolute:
                goal += f" and ≤ {self.absolute:g} s"
                ok = statistics.median(mine) <= self.absolute
            ok = ok and (self.target is None or ratio <= self.target)
            cells += [_spread(base), f"{ratio:.2f}×", goal]
        cells.append("—" if self.target is None and self.memory is None and self.absolute is None
                     else ("met" if ok else "MISSED"))
        return cells


def _spread(values: list[float], unit: str = "s") -> str:
    fmt = (lambda v: f"{v:.0f}") if unit == "MiB" else (lambda v: f"{v:.3f}" if v < 10 else f"{v:.1f}")
    return f"{fmt(statistics.median(values))} ({fmt(min(values))}–{fmt(max(values))}) {unit}"


HEADERS = ["measurement", "rows", "flowparty median (min–max)", "floor median (min–max)", "ratio", "target",
           "result"]


def table(rows: list[Row]) -> str:
    lines = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    lines += ["| " + " | ".join(r.cells()) + " |" for r in rows]
    return "\n".join(lines)


# ---------------------------------------------------------------- the measurements


def _env(ledger: Path) -> dict:
    return {**os.environ, "FLOWPARTY_DB": str(ledger), "COLUMNS": "120", "NO_COLOR": "1"}


def _init_ledger(path: Path) -> None:
    subprocess.run([FLOWPARTY, "init", "--branch", "某某村党支部", "--committee", "某某镇党委", "--code", "3301",
                    "--since", "2018-01", "--province", "四川省", "--city", "南充市"],
                   env=_env(path), check=True, capture_output=True)


def startup(runs: int) -> list[Row]:
    env = _env(Path(tempfile.gettempdir()) / "flowparty-bench-none.db")
    version = Variant("flowparty --version", lambda: [FLOWPARTY, "--version"], env=env)
    helps = Variant("flowparty --help", lambda: [FLOWPARTY, "--help"], env=env)
    typer_ = Variant("import typer", lambda: [PYTHON, "-c", "import typer"], env=env)
    measure([version, helps, typer_], runs)
    return [Row("start-up: flowparty --version", "—", version, typer_, 2.5),
            Row("start-up: flowparty --help", "—", helps, typer_, None)]


def import_rows(work: Path, n: int, runs: int, target: float | None, memory: bool) -> list[Row]:
    book = work / f"outflows-{n}.xlsx"
    if not book.exists():
        data.write_outflow_workbook(book, n)
    empty = work / "empty.db"
    if not empty.exists():
        _init_ledger(empty)
    ledger, floor_db = work / "import.db", work / "floor.db"

    def fresh_ledger() -> None:
        for p in work.glob("import.db*"):
            shutil.rmtree(p) if p.is_dir() else p.unlink()
        shutil.copyfile(empty, ledger)

    def fresh_floor() -> None:
        floor_db.unlink(missing_ok=True)

    ours = Variant("flowparty import outflows", lambda: [FLOWPARTY, "import", "outflows", str(book)],
                   fresh_ledger, _env(ledger))
    floor = Variant("calamine + executemany", lambda: [PYTHON, "-c", FLOOR_IMPORT, str(book), str(floor_db)],
                    fresh_floor)
    measure([ours, floor], runs)
    rows = [Row("import outflows (.xlsx)", f"{n:,}", ours, floor, target)]
    if memory:  # the same runs, their peak resident set size
        rows.append(Row("import outflows: peak RSS", f"{n:,}", ours, floor, None, memory=300))
    return rows


def dues_rows(work: Path, n: int, runs: int, target: float | None) -> list[Row]:
    """flowparty import dues of a year of monthly dues (12 rows a member) for n members already on the roster,
    against the same CSV read by the csv module and written by one executemany into a (member, period) table."""
    roster = work / f"roster-{n}.db"
    if not roster.exists():
        data.build_audit_ledger(roster, n, months=0)
    csv_file = work / f"dues-{n}.csv"
    if not csv_file.exists():
        data.write_dues_csv(csv_file, roster)
    ledger, floor_db = work / "dues.db", work / "floor-dues.db"

    def fresh_ledger() -> None:
        for p in work.glob("dues.db*"):
            shutil.rmtree(p) if p.is_dir() else p.unlink()
        shutil.copyfile(roster, ledger)

    ours = Variant("flowparty import dues", lambda: [FLOWPARTY, "import", "dues", str(csv_file)], fresh_ledger,
                   _env(ledger))
    floor = Variant("csv + executemany", lambda: [PYTHON, "-c", FLOOR_DUES, str(csv_file), str(floor_db)],
                    lambda: floor_db.unlink(missing_ok=True))
    measure([ours, floor], runs)
    return [Row("import dues (.csv)", f"{n:,} members / {n * 12:,} dues", ours, floor, target)]


def _audit(ledger: Path, *args: str) -> Variant:
    return Variant(" ".join(("flowparty audit", *args)),
                   lambda: [FLOWPARTY, "audit", "--as-of", data.AS_OF.isoformat(), "--fail-on", "never", *args],
                   env=_env(ledger))


def _facts_floor(ledger: Path) -> Variant:
    return Variant("hand-written SQL, every fact",
                   lambda: [PYTHON, "-c", FLOOR_FACTS, str(ledger), data.AS_OF.isoformat()])


def audit_rows(work: Path, n: int, runs: int, target: float | None) -> list[Row]:
    ledger = work / f"audit-{n}.db"
    if not ledger.exists():
        data.build_audit_ledger(ledger, n)
    as_of = data.AS_OF
    last_due = data.Month(as_of.year, as_of.month).plus(-1)
    stats, as_json, human = _audit(ledger, "--statistics"), _audit(ledger, "--json"), _audit(ledger)
    arrears = Variant("hand-written SQL, arrears", lambda: [PYTHON, "-c", FLOOR_AUDIT, str(ledger), as_of.isoformat(),
                                                            str(last_due.index), str(data.SINCE.index), str(last_due)])
    facts = _facts_floor(ledger)
    measure([stats, as_json, human, arrears, facts], runs)
    size = f"{n:,} members / {n * 60:,} dues"
    return [Row("audit (all rules) vs six-month arrears SQL", size, stats, arrears, None),  # as in earlier runs
            Row("audit --json vs every fact in SQL", size, as_json, facts, target),
            Row("audit for people vs audit --json", size, human, as_json, 1.5)]


def flagged_rows(work: Path, n: int, runs: int) -> list[Row]:
    """A township's first import: nearly everyone flagged, five findings a member."""
    ledger = work / f"flagged-{n}.db"
    if not ledger.exists():
        data.build_first_import_ledger(ledger, n)
    everything, dues_only = _audit(ledger, "--json"), _audit(ledger, "--json", "--select", "FP202")
    facts = _facts_floor(ledger)
    measure([everything, dues_only, facts], runs)
    size = f"{n:,} members / {n * 5:,} findings"
    return [Row("audit --json, first import, vs every fact in SQL", size, everything, facts, None),
            Row("audit --json, first import, vs --select FP202", size, everything, dues_only, None)]


def member_list_rows(work: Path, n: int, runs: int) -> list[Row]:
    ledger = work / f"audit-{n}.db"
    if not ledger.exists():
        data.build_audit_ledger(ledger, n)
    env = _env(ledger)
    human = Variant("flowparty member list", lambda: [FLOWPARTY, "member", "list"], env=env)
    as_json = Variant("flowparty member list --json", lambda: [FLOWPARTY, "member", "list", "--json"], env=env)
    measure([human, as_json], runs)
    return [Row("member list for people vs --json", f"{n:,}", human, as_json, 1.5)]


def export_rows(work: Path, n: int, runs: int, target: float | None) -> list[Row]:
    ledger, out, floor_out = work / f"audit-{n}.db", work / "export.xlsx", work / "floor.xlsx"
    if not ledger.exists():
        data.build_audit_ledger(ledger, n)
    ours = Variant("flowparty export register",
                   lambda: [FLOWPARTY, "export", "register", "--xlsx", str(out), "--as-of", data.AS_OF.isoformat()],
                   env=_env(ledger))
    floor = Variant("xlsxwriter constant_memory", lambda: [PYTHON, "-c", FLOOR_EXPORT, str(ledger), str(floor_out)])
    same = Variant("xlsxwriter, the register's query", lambda: [PYTHON, "-c", FLOOR_EXPORT_REGISTER, str(ledger),
                                                                 str(floor_out), data.AS_OF.isoformat()])
    measure([ours, floor, same], runs)
    return [Row("export register (.xlsx) vs 15 columns", f"{n:,}", ours, floor, target),  # as in earlier runs
            Row("export register (.xlsx) vs its 25 columns", f"{n:,}", ours, same, None)]


def versions() -> str:
    from importlib.metadata import version

    libs = ", ".join(f"{p} {version(p)}" for p in ("flowparty", "typer", "rich", "sqlite-utils", "python-calamine",
                                                   "openpyxl", "xlsxwriter"))
    return (f"{date.today()} · {os.cpu_count()} cores ({platform.machine()}, {platform.system()}) · "
            f"Python {platform.python_version()} · SQLite {sqlite3.sqlite_version} · {libs}")


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="row counts, comma-separated")
    parser.add_argument("--big", action="store_true",
                        help="also import 1,000,000 rows once (it takes many minutes) and report its peak RSS")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--startup-runs", type=int, default=15)
    parser.add_argument("--only", default="startup,import,dues,audit,flagged,list,export", help="which measurements")
    parser.add_argument("--work", type=Path, help="keep the generated data here (default: a temporary folder)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    only = set(args.only.split(","))
    work = args.work or Path(tempfile.mkdtemp(prefix="flowparty-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    rows: list[Row] = []
    started = time.perf_counter()
    if "startup" in only:
        rows += startup(args.startup_runs)
    for n in sizes:
        at_target = n == 100_000
        if "import" in only:
            rows += import_rows(work, n, args.runs, 2.5 if at_target else None, memory=False)
        if "dues" in only:
            rows += dues_rows(work, n, args.runs, 3.0 if at_target else None)
        if "audit" in only:
            rows += audit_rows(work, n, args.runs, 1.5 if at_target else None)
        if "flagged" in only:
            rows += flagged_rows(work, n, args.runs)
        if "list" in only:
            rows += member_list_rows(work, n, args.runs)
        if "export" in only:
            rows += export_rows(work, n, args.runs, 1.3 if at_target else None)
    if args.big:
        rows += import_rows(work, 1_000_000, 1, None, memory=True)
    report = f"{versions()}\n\n{table(rows)}\n\n(total {time.perf_counter() - started:.0f} s; data in {work})"
    print(report)
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    return report


if __name__ == "__main__":
    main()
