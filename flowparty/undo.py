"""The history of commands, and undo: a recorded revert of one command's transaction (SPEC §7).

Every command that changes the ledger is one row of `transactions`, and every row it changed one row of
`history` with that transaction's id, old and new values; an import's inserts are one entry for its batch
(BATCH_ENTRY: the batch row and how many rows it added to each table, each row carrying the batch id), and
older imports one row per record: both are read alike here. Undo writes a new transaction that puts each of
those rows back as it was (inserts deleted, updates restored, deletes re-inserted), and marks the old one
undone; nothing leaves the history. It refuses when a later command that still stands touched the same rows
or the same members, naming that command. `import undo` is the same, aimed at the latest import.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from flowparty import labels as L
from flowparty.db import BATCHED, Ledger
from flowparty.errors import BadInput

SHOWN_ROWS = 8  # history rows shown per command; an import of 100,000 rows is summarised


@dataclass
class Command:
    id: int
    at: str
    command: str
    reason: str | None
    undoes: int | None
    undone_by: int | None
    rows: int
    changes: list[dict]


# The one history entry of an import's inserts (Ledger.finish_batch); older imports wrote a row per record instead.
BATCH_ENTRY = ("h.table_name = 'import_batches' AND h.action = 'insert'"
               " AND json_type(h.new_values, '$.inserted') IS NOT NULL")
_MEMBER_BATCHES = " UNION ".join(f"SELECT batch_id FROM {t} WHERE {col} = :member" for t, col in BATCHED.items())
# A member's history: the rows that name them, and the entries of the batches that added any of their rows.
MEMBER_HISTORY = (f"SELECT * FROM history WHERE member_id = :member UNION ALL SELECT h.* FROM history h"
                  f" WHERE {BATCH_ENTRY} AND h.row_id IN ({_MEMBER_BATCHES})")
_INSERTED = ("SELECT coalesce(sum(j.value), 0) FROM history h, json_each(h.new_values, '$.inserted') j"
             f" WHERE h.tx_id = ? AND {BATCH_ENTRY}")


def _batch_members(tx: str) -> str:
    """SQL: the members of the rows that the batch entries of transaction `tx` (an SQL parameter) added."""
    batches = f"SELECT h.row_id FROM history h WHERE h.tx_id = {tx} AND {BATCH_ENTRY}"
    return " UNION ".join(f"SELECT {col} FROM {t} WHERE batch_id IN ({batches})" for t, col in BATCHED.items())


# Commands undo can take back: those still standing that wrote something; not init (a ledger keeps its settings),
# not the demo, not an undo (undo again steps further back, as in an editor).
_LIVE = """
SELECT t.* FROM transactions t
WHERE t.undone_by IS NULL AND t.undoes IS NULL AND t.command NOT IN ('init', 'demo')
  AND EXISTS (SELECT 1 FROM history h WHERE h.tx_id = t.id)
"""


def latest(led: Ledger, import_only: bool = False):
    """The latest command that changed the ledger and still stands (or the latest import)."""
    only = (" AND t.command LIKE 'import %' AND EXISTS (SELECT 1 FROM history h WHERE h.tx_id = t.id"
            f" AND (h.table_name != 'import_batches' OR {BATCH_ENTRY}"
            " AND json_extract(h.new_values, '$.inserted') != '{}'))"
            ) if import_only else ""
    row = led.one(_LIVE + only + " ORDER BY t.id DESC LIMIT 1")
    if row is None:
        raise BadInput(L.NOTHING_TO_UNDO_IMPORT if import_only else L.NOTHING_TO_UNDO_ANY)
    return row


def command_of(led: Ledger, tx, limit: int | None = SHOWN_ROWS) -> Command:
    """One command with its changes (at most limit of them, newest last) in the form views.describe_change reads."""
    rows = led.scalar("SELECT count(*) FROM history WHERE tx_id = ?", [tx["id"]]) + inserted_rows(led, tx["id"])
    shown = led.all("SELECT * FROM history WHERE tx_id = ? ORDER BY id" + (f" LIMIT {int(limit)}" if limit else ""),
                    [tx["id"]])
    return Command(tx["id"], tx["at"], tx["command"], tx["reason"], tx["undoes"], tx["undone_by"], rows,
                   [_entry(row) for row in shown])


def inserted_rows(led: Ledger, tx_id: int) -> int:
    """How many rows the batch entries of a transaction added (rows with a history row each are counted apart)."""
    return led.scalar(_INSERTED, [tx_id])


def _entry(row) -> dict:
    return {"at": row["at"], "command": row["command"], "table": row["table_name"], "action": row["action"],
            "member_id": row["member_id"],
            "old": json.loads(row["old_values"]) if row["old_values"] else None,
            "new": json.loads(row["new_values"]) if row["new_values"] else None}


def history(led: Ledger, member_id: int | None = None, limit: int = 20) -> list[Command]:
    """The latest commands, newest first; with a member, those that changed anything of theirs."""
    if member_id is None:
        txs = led.all("SELECT * FROM transactions t WHERE EXISTS (SELECT 1 FROM history h WHERE h.tx_id = t.id)"
                      " ORDER BY id DESC LIMIT ?", [limit])
        return [command_of(led, tx) for tx in txs]
    txs = led.conn.execute(f"SELECT * FROM transactions WHERE id IN (SELECT tx_id FROM ({MEMBER_HISTORY}))"
                           " ORDER BY id DESC LIMIT :limit", {"member": member_id, "limit": limit}).fetchall()
    out = []
    for tx in txs:
        entries = led.conn.execute(f"SELECT * FROM ({MEMBER_HISTORY}) WHERE tx_id = :tx ORDER BY id",
                                   {"member": member_id, "tx": tx["id"]}).fetchall()
        out.append(Command(tx["id"], tx["at"], tx["command"], tx["reason"], tx["undoes"], tx["undone_by"],
                           len(entries), [_entry(row) for row in entries[:SHOWN_ROWS]]))
    return out


# Later history that still stands (not undone, not an undo of something later than the target) about a row or a
# member the target touched.
_BLOCKING = """
SELECT t.id, t.command, t.at, m.name FROM history h JOIN transactions t ON t.id = h.tx_id
LEFT JOIN members m ON m.id = h.member_id
WHERE h.tx_id > :tx AND t.undone_by IS NULL AND (t.undoes IS NULL OR t.undoes < :tx)
  AND ((h.table_name, h.row_id) IN (SELECT table_name, row_id FROM history WHERE tx_id = :tx AND table_name != 'settings')
       OR h.member_id IN (SELECT member_id FROM history WHERE tx_id = :tx AND member_id IS NOT NULL)
       OR h.member_id IN ({batch_members})
       OR (h.table_name = 'settings' AND h.table_name IN (SELECT table_name FROM history WHERE tx_id = :tx)
           AND (SELECT group_concat(key) FROM json_each(h.new_values)) IN
               (SELECT (SELECT group_concat(key) FROM json_each(x.new_values)) FROM history x
                WHERE x.tx_id = :tx AND x.table_name = 'settings')))
ORDER BY t.id LIMIT 1
""".format(batch_members=_batch_members(":tx"))


def refuse_if_built_on(led: Ledger, tx) -> None:
    later = led.conn.execute(_BLOCKING, {"tx": tx["id"]}).fetchone()
    if later:
        raise BadInput(L.UNDO_BLOCKED_BY.format(command=tx["command"], at=tx["at"].replace("T", " "),
                                                later=later["command"], later_at=later["at"].replace("T", " "),
                                                name=later["name"] or ""), L.UNDO_BLOCKED_BY_HINT)


def undo(led: Ledger, tx) -> int:
    """Take one command back inside the caller's transaction: each row it changed, as it was. Returns the rows."""
    if tx["undone_by"] is not None:
        raise BadInput(L.UNDO_ALREADY.format(command=tx["command"]))
    refuse_if_built_on(led, tx)
    done = 0
    for change in led.all("SELECT * FROM history WHERE tx_id = ? AND action = 'update' ORDER BY id DESC", [tx["id"]]):
        old = json.loads(change["old_values"])
        if change["table_name"] == "settings":
            for key, value in old.items():
                led.set_setting(key, value)
        else:
            led.update(change["table_name"], change["row_id"], old)
        done += 1
    for table in [r[0] for r in led.all("SELECT table_name FROM history WHERE tx_id = ? AND action = 'insert'"
                                        " AND table_name != 'import_batches' GROUP BY table_name ORDER BY max(id) DESC",
                                        [tx["id"]])]:
        if table == "settings":
            for row in led.all("SELECT new_values FROM history WHERE tx_id = ? AND table_name = 'settings'"
                               " AND action = 'insert'", [tx["id"]]):
                for key in json.loads(row[0]):
                    led.delete_setting(key)
                    done += 1
            continue
        done += led.delete_many(table, "SELECT row_id FROM history WHERE tx_id = ? AND table_name = ?"
                                       " AND action = 'insert'", [tx["id"], table])
    done += _undo_batches(led, tx["id"])
    for table in [r[0] for r in led.all("SELECT table_name FROM history WHERE tx_id = ? AND action = 'delete'"
                                        " GROUP BY table_name ORDER BY min(id)", [tx["id"]])]:
        done += led.reinsert(table, "SELECT old_values FROM history WHERE tx_id = ? AND table_name = ?"
                                    " AND action = 'delete' ORDER BY id", [tx["id"], table])
    led.mark_undone(tx["id"])
    return done


def _undo_batches(led: Ledger, tx_id: int) -> int:
    """The rows a transaction's import batches added, deleted by their batch id (after the rows with a history
    row each, which may name them); each batch stays on record, marked as taken back. Returns the rows."""
    done = 0
    for batch_id, values in led.all("SELECT row_id, new_values FROM history WHERE tx_id = ?"
                                    " AND table_name = 'import_batches' AND action = 'insert'", [tx_id]):
        inserted = json.loads(values).get("inserted", {})
        for table in reversed([t for t in BATCHED if t in inserted]):
            done += led.delete_many(table, f"SELECT id FROM {table} WHERE batch_id = ?", [batch_id])
        led.update("import_batches", batch_id, {"undone_at": datetime.now().isoformat(timespec="seconds")})
    return done
