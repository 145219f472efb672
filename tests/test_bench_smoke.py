"""The benchmark harness still runs end to end (a few seconds at 30 rows); the figures themselves are not
checked here: timing belongs to `python -m bench.run`, not to the unit suite."""

from bench import run


def test_bench_runs_every_measurement_at_a_tiny_size(tmp_path):
    report = run.main(["--sizes", "30", "--runs", "1", "--startup-runs", "1", "--work", str(tmp_path)])
    lines = [line for line in report.splitlines() if line.startswith("| ")]
    assert [line.split(" | ")[0] for line in lines[1:]] == [
        "| start-up: flowparty --version", "| start-up: flowparty --help", "| import outflows (.xlsx)",
        "| import dues (.csv)", "| audit (all rules) vs six-month arrears SQL", "| audit --json vs every fact in SQL",
        "| audit for people vs audit --json", "| audit --json, first import, vs every fact in SQL",
        "| audit --json, first import, vs --select FP202", "| member list for people vs --json",
        "| export register (.xlsx) vs 15 columns", "| export register (.xlsx) vs its 25 columns"]
    assert all("×" in line for line in lines[1:] if "--help" not in line)
    assert "cores" in report and "SQLite" in report
