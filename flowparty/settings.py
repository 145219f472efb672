"""The ledger's settings and rule thresholds, with their Chinese names: shown by `settings`, changed with a reason.

One table (CATALOG) names every key the clerk can see and set, how its value is checked, and its default; the
rule thresholds are rules.THRESHOLDS, so a threshold the audit reads is always a setting the clerk can change.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

from flowparty import labels as L
from flowparty.db import Ledger
from flowparty.errors import BadInput
from flowparty.parse import fold, parse_month


class Setting(NamedTuple):
    key: str
    name: str
    check: Callable[[str], str]
    default: str | None


def _text(value: str) -> str:
    text = fold(value)
    if not text:
        raise BadInput(L.EMPTY_FIELD.format(field=L.FIELD_VALUE))
    return text


def _code(value: str) -> str:
    text = _text(value)
    if not text.isalnum():
        raise BadInput(L.BAD_BRANCH_CODE.format(value=text))
    return text


def _place(value: str) -> str:
    return fold(value)


def _month(value: str) -> str:
    return str(parse_month(value, L.FIELD_SINCE))


def _count(low: int, high: int, choices: tuple[int, ...] = ()) -> Callable[[str], str]:
    def check(value: str) -> str:
        text = fold(value)
        if not text.isdigit() or not low <= int(text) <= high or choices and int(text) not in choices:
            allowed = "、".join(map(str, choices)) if choices else f"{low}–{high}"
            raise BadInput(L.SETTING_BAD_NUMBER.format(value=value, allowed=allowed))
        return str(int(text))
    return check


def catalog() -> list[Setting]:
    from flowparty.rules import THRESHOLDS

    fixed = [
        Setting("branch", L.FIELD_BRANCH_NAME, _text, None),
        Setting("committee", L.FIELD_COMMITTEE, _text, None),
        Setting("code", L.INFO_CODE, _code, "0000"),
        Setting("home_province", L.SETTING_HOME_PROVINCE, _place, ""),
        Setting("home_city", L.SETTING_HOME_CITY, _place, ""),
        Setting("since", L.FIELD_SINCE, _month, None),
    ]
    from flowparty.dues import DEFAULT_PLAUSIBLE_FEN, PLAUSIBLE_SETTING

    limits = {"report_months": _count(6, 12, (6, 12)), "dues_everyone": _count(0, 1)}
    return fixed + [Setting(key, L.SETTING_NAMES[key], limits.get(key, _count(1, 3650)), str(default))
                    for key, default in THRESHOLDS.items()] + [
        Setting(PLAUSIBLE_SETTING, L.SETTING_DUES_PLAUSIBLE, _count(1, 100_000_000), str(DEFAULT_PLAUSIBLE_FEN))]


def find(text: str) -> Setting:
    """A setting by its key (report_months) or its Chinese name (汇报周期（月）)."""
    token = fold(text)
    for setting in catalog():
        if token in (setting.key, setting.name):
            return setting
    raise BadInput(L.SETTING_UNKNOWN.format(value=text), L.SETTING_UNKNOWN_HINT)


def shown(led: Ledger) -> list[dict]:
    """Every setting: key, Chinese name, value in force, default."""
    stored = led.settings()
    return [{"key": s.key, "name": s.name, "value": stored.get(s.key, s.default), "default": s.default}
            for s in catalog()]


def change(led: Ledger, text: str, value: str) -> tuple[Setting, str | None, str]:
    """settings set: the new value, checked; the old one stays in history with the reason. Returns (setting, old, new)."""
    setting = find(text)
    new = setting.check(value)
    old = led.setting(setting.key, setting.default)
    if old == new:
        raise BadInput(L.NOTHING_CHANGED)
    led.set_setting(setting.key, new)
    return setting, old, new
