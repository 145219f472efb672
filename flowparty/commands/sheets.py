"""表格：从 Excel/WPS/CSV 导入，导出为 Excel/CSV，模板。"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Callable, Iterator, Optional

import typer

from flowparty import labels as L
from flowparty import parse
from flowparty.cli import (DateOpt, JsonOpt, MemberArg, NoteOpt, PhoneOpt, State, app, choice, command, db_path,
                           done, ledger, maybe_date, on, subcommands, writing)
from flowparty.errors import FlowpartyError, LedgerError
from flowparty.usage import confirm_asked


# ---------------------------------------------------------------- spreadsheets: import and export

import_app = subcommands("从 Excel/WPS 表格（.xlsx/.xls/.ods）或 CSV 导入名册、登记簿、党费、汇报；生成模板；撤销上次导入。")
export_app = subcommands("把登记簿、党费、汇报、审计问题导出为 Excel 工作簿或 CSV。")
app.add_typer(import_app, name="import")
app.add_typer(export_app, name="export")
FileArg = Annotated[Path, typer.Argument(help="表格文件：.xlsx、.xls、.ods 或 .csv（UTF-8 或 GBK）。")]
MaskErrorsOpt = Annotated[bool, typer.Option("--mask-ids", help="错误清单（--errors）中隐去身份证号和电话号码的中间几位。")]


def _import_command(kind: str) -> Callable:
    def run_import(
        file: FileArg,
        sheet: Annotated[Optional[str], typer.Option("--sheet", help="工作表名；默认第一个有表头的工作表。")] = None,
        dry_run: Annotated[bool, typer.Option("--dry-run", help="只检查并报告将会导入什么，不写入。")] = False,
        skip_invalid: Annotated[bool, typer.Option("--skip-invalid", help="写入正确的行，列出并跳过有错误的行。")] = False,
        errors: Annotated[Optional[Path], typer.Option("--errors", help="把错误清单写成 .xlsx 工作簿。")] = None,
        mask_ids: MaskErrorsOpt = False,
    ) -> None:
        from flowparty import importer, ui

        outcome = _imported(lambda led, progress: importer.import_file(
            led, kind, file, sheet, dry_run=dry_run, skip_invalid=skip_invalid, progress=progress), dry_run, errors,
            mask_ids)
        counts = dict(file=file.name, sheet=outcome.sheet, added=outcome.added, unchanged=outcome.unchanged,
                      skipped=len({e.row for e in outcome.errors}))
        if dry_run:
            ui.say(L.IMPORT_DRY_RUN.format(**counts))
        else:
            done(L.IMPORT_DONE.format(**counts, batch=outcome.batch_id))

    run_import.__doc__ = f"导入{L.IMPORT_KINDS[kind]}：逐行检查，全部正确才写入（一个批次，可撤销）。"
    run_import.__name__ = f"import_{kind}"
    return run_import


def _imported(run: Callable, dry_run: bool, errors: Optional[Path], mask_ids: bool = False):
    """Run an import on the ledger (a sound one, unless only trying), then list its errors and its summary."""
    from flowparty import db, importer, ui

    progress = lambda rows, total: ui.progress(rows, L.IMPORT_PROGRESS, total)  # noqa: E731
    if not dry_run:
        confirm_asked()
    with ledger() as led:
        if not dry_run:
            db.require_sound(led.conn, led.path)
        try:
            outcome = run(led, progress)
        except importer.ImportRefused as refused:
            _list_import_errors(refused.outcome.errors, errors, mask_ids)
            for line in importer.summary_lines(refused.outcome):
                ui.tell(line)
            raise
    _list_import_errors(outcome.errors, errors, mask_ids)
    for line in importer.summary_lines(outcome):
        ui.say(line)
    return outcome


def _list_import_errors(found: list, errors_file: Optional[Path], mask_ids: bool = False) -> None:
    """The bad rows on stderr (the first 50), and all of them in a workbook when asked (masked with --mask-ids)."""
    from flowparty import export, ui

    limit = 50
    for error in found[:limit]:
        ui.tell(str(error))
    if len(found) > limit:
        ui.tell(L.IMPORT_MORE_ERRORS.format(count=len(found) - limit))
    if errors_file and found:
        export.write_errors(errors_file, found, mask_ids)
        ui.tell(L.IMPORT_ERRORS_WRITTEN.format(path=errors_file))


for _kind in ("members", "outflows", "dues", "reports"):
    command(import_app, _kind)(_import_command(_kind))


@command(import_app, "all")
def import_all(
    file: Annotated[Path, typer.Argument(help="export all 导出的 .xlsx 工作簿。")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只检查并报告将会导入什么，不写入。")] = False,
    skip_invalid: Annotated[bool, typer.Option("--skip-invalid", help="写入正确的行，列出并跳过有错误的行。")] = False,
    errors: Annotated[Optional[Path], typer.Option("--errors", help="把错误清单写成 .xlsx 工作簿。")] = None,
    mask_ids: MaskErrorsOpt = False,
) -> None:
    """导入 export all 导出的整本工作簿（每个工作表一类记录），一个批次，可撤销。"""
    from flowparty import importer, ui

    outcome = _imported(lambda led, progress: importer.import_all(
        led, file, dry_run=dry_run, skip_invalid=skip_invalid, progress=progress), dry_run, errors, mask_ids)
    counts = dict(file=file.name, sheets=len(outcome.sheets), added=outcome.added, unchanged=outcome.unchanged,
                  skipped=len({(e.sheet, e.row) for e in outcome.errors}))
    if dry_run:
        ui.say(L.IMPORT_ALL_DRY_RUN.format(**counts))
    else:
        done(L.IMPORT_ALL_DONE.format(**counts, batch=outcome.batch_id))


@command(import_app, "template")
def import_template(
    kind: Annotated[str, typer.Argument(help="名册、登记簿、党费或汇报。")],
    file: Annotated[Path, typer.Argument(help="要生成的 .xlsx 文件。")],
) -> None:
    """生成一个带正确表头的空白模板（另有一页填写说明）。"""
    import shutil

    from flowparty import export, importer

    kind = importer.kind_of(L.COMMAND_ALIASES["import"].get(kind, kind))
    shutil.copyfile(export.template_path(kind), file)
    done(L.TEMPLATE_DONE.format(kind=L.IMPORT_KINDS[kind], path=file))


@command(import_app, "undo")
def import_undo() -> None:
    """撤销最近一次导入（整批，一个事务）；与 flowparty undo 同一机制，删除的记录保留在变更历史中。"""
    from flowparty import db, importer

    with writing("import undo") as led:
        db.require_sound(led.conn, led.path)
        undone = importer.undo_last(led)
    batch = undone.batch
    done(L.UNDO_DONE.format(batch=batch["id"], file=batch["file_name"], kind=L.IMPORT_KINDS[batch["kind"]],
                            rows=undone.deleted, updates=undone.restored))


def _export_command(kind: str) -> Callable:
    def run_export(
        xlsx: Annotated[Optional[Path], typer.Option("--xlsx", help="写成 Excel 工作簿（.xlsx）。")] = None,
        csv_dir: Annotated[Optional[Path], typer.Option("--csv", help="写成 CSV（UTF-8）到此文件夹，供其他程序读取；给人看请用 --xlsx（电子表格打开 CSV 会把 18 位身份证号变成 5.11321E+17）。")] = None,
        as_of: Annotated[Optional[str], typer.Option("--as-of", help="截至日期；默认今天。")] = None,
        mask_ids: Annotated[bool, typer.Option("--mask-ids", help="隐去身份证号和电话号码的中间几位。")] = False,
    ) -> None:
        from flowparty import export, ui
        from flowparty.errors import BadInput

        if (xlsx is None) == (csv_dir is None):
            raise BadInput(L.EXPORT_NOTHING)
        day = on(as_of, L.FIELD_AS_OF)
        kinds = list(export.KINDS) if kind == "all" else [kind]
        with ledger(readonly=True) as led:
            sheets = [export.KINDS[k](led, day, mask_ids) for k in kinds]
        progress = lambda rows, total: ui.progress(rows, L.EXPORT_PROGRESS, total)  # noqa: E731
        if xlsx is not None:
            export.write_xlsx(xlsx, sheets, progress)
            done(L.EXPORT_DONE.format(path=xlsx))
        else:
            for path in export.write_csv(csv_dir, sheets, progress):
                done(L.EXPORT_DONE.format(path=path))

    title = "、".join(L.EXPORT_KINDS.values()) if kind == "all" else L.EXPORT_KINDS[kind]
    run_export.__doc__ = f"导出{title}（每类一个工作表）。" if kind == "all" else f"导出{title}。"
    run_export.__name__ = f"export_{kind}"
    return run_export


for _kind in ("register", "dues", "reports", "findings", "all"):
    command(export_app, _kind)(_export_command(_kind))
