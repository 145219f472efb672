"""Bad input of every kind: each parser refuses with BadInput (never another exception), and the command line,
given random arguments, ends with exit 0/1/2/3, never a traceback, and a refused command writes nothing."""

from __future__ import annotations

import string
from datetime import date

import click
import pytest
import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from flowparty import labels as L
from flowparty import parse
from flowparty.cli import app
from flowparty.errors import BadInput
from tests.conftest import snapshot
from tests.ids import make_id

junk = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=string.digits + "-/.年月日Qq季度元角分 xX+()，．０１２", max_size=24),
    st.integers(min_value=-10**12, max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.none(),
    st.dates().map(str),
)

PARSERS = {
    "date": lambda v: parse.parse_date(v, L.FIELD_DATE),
    "optional date": lambda v: parse.optional_date(v, L.FIELD_DATE),
    "date or month": lambda v: parse.parse_date_or_month(v, L.FIELD_DATE),
    "month": parse.parse_month,
    "periods": parse.parse_periods,
    "amount": parse.parse_amount,
    "id": parse.parse_id_number,
    "phone": parse.parse_phone,
    "optional phone": parse.optional_phone,
    "gender": lambda v: parse.parse_choice(v, L.GENDERS, L.FIELD_GENDER),
    "destination": parse.parse_destination,
}


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(sorted(PARSERS)), value=junk)
def test_every_parser_accepts_or_refuses_with_bad_input(name, value):
    try:
        PARSERS[name](value)
    except BadInput as error:
        assert error.code == 2 and error.message


@settings(max_examples=100, deadline=None)
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_dates_read_back_in_every_spec_form(day):
    for text in (day.isoformat(), f"{day.year}/{day.month}/{day.day}", f"{day.year}年{day.month}月{day.day}日",
                 day.strftime("%Y%m%d")):
        assert parse.parse_date(text, L.FIELD_DATE) == day


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=1, max_value=10**9))
def test_amounts_round_trip_in_fen(fen):
    assert parse.parse_amount(parse.format_fen(fen)) == fen


@settings(max_examples=100, deadline=None)
@given(st.dates(min_value=date(1930, 1, 1), max_value=date(2008, 12, 31)), st.integers(0, 99), st.booleans())
def test_valid_id_numbers_are_kept_and_a_changed_digit_is_refused(birth, serial, male):
    id_number = make_id(birth.strftime("%Y%m%d"), serial, male=male)
    assert parse.parse_id_number(id_number.lower()) == id_number
    assert parse.birth_date_from_id(id_number) == birth
    wrong = id_number[:-1] + ("0" if id_number[-1] != "0" else "1")
    try:
        parse.parse_id_number(wrong)
    except BadInput as error:
        assert wrong in error.message
    else:
        raise AssertionError(f"{wrong} accepted")


# ---------------------------------------------------------------- the command line with random arguments


def _leaf_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], click.Command]]:
    found = []
    for name, cmd in sorted(group.commands.items()):
        if isinstance(cmd, click.Group):
            found += _leaf_commands(cmd, (*prefix, name))
        else:
            found.append(((*prefix, name), cmd))
    return found


COMMANDS = [c for c in _leaf_commands(typer.main.get_command(app)) if c[0][0] not in ("demo", "init")]
values = st.one_of(
    junk.map(str),
    st.sampled_from(["张三", make_id(serial=1), make_id(serial=2), "2025-03-01", "2025-01..2025-03", "2025-Q1",
                     "100", "电话", "广东省深圳市", "home", "inflow", "", "-1", "2999-01-01", "--json"]),
)


@st.composite
def invocations(draw):
    path, cmd = draw(st.sampled_from(COMMANDS))
    args = list(path)
    options = [p for p in cmd.params if isinstance(p, click.Option)]
    for _ in range(draw(st.integers(0, 4))):
        if options and draw(st.booleans()):
            option = draw(st.sampled_from(options))
            args.append(option.opts[0])
            if not option.is_flag:
                args.append(draw(values))
        else:
            args.append(draw(values))
    return args


@pytest.fixture
def roster(cli, ledger, tmp_path, monkeypatch):
    """Two members the random arguments can name; a random file argument lands in the test's own folder."""
    for serial, name in ((1, "张三"), (2, "李四")):
        assert cli("member", "add", "--name", name, "--id", make_id(serial=serial)).exit_code == 0
    monkeypatch.chdir(tmp_path)
    return ledger


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(args=invocations())
def test_random_command_lines_end_cleanly_and_a_refusal_writes_nothing(roster, args):
    ledger = roster
    before = snapshot(ledger)
    result = CliRunner().invoke(app, args, catch_exceptions=True)
    output = result.stdout + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), (args, result.exception)
    assert result.exit_code in (0, 1, 2, 3), (args, result.exit_code, output)
    assert "Traceback" not in output
    if result.exit_code in (2, 3):
        assert snapshot(ledger) == before, args
