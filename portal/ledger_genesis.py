"""Genesis events for read models that existed before the ledger fed them.

Used by data migrations only: each row of a read model that was written
directly (before every hub read model became a projection of the ledger) is
appended once as the event that would have produced it, with the row's own
time, so that a rebuild from the ledger alone gives the row back.
"""

from __future__ import annotations

import json


def genesis_append(
    cursor,
    *,
    at,
    partner_id: int,
    kind: str,
    group: str,
    payload: dict,
    order_number: str = "",
    work_order_number: str = "",
    actor_label: str = "",
) -> int:
    """Insert one event with an explicit time (the model stamps `at` itself)."""
    cursor.execute(
        "INSERT INTO portal_ledgerevent (at, partner_id, kind, order_number, work_order_number,"
        " actor_label, payload, groups) VALUES (%s, %s, %s, %s, %s, %s, %s::jsonb, %s::jsonb)"
        " RETURNING id",
        [
            at,
            partner_id,
            kind,
            order_number,
            work_order_number,
            actor_label,
            json.dumps(payload),
            json.dumps({group: sorted(payload)}),
        ],
    )
    return cursor.fetchone()[0]


def rekey(cursor, table: str, new_ids: dict[int, int]) -> None:
    """Give rows the ids of the events that now produce them (two steps, so that
    no new id collides with an old one)."""
    for old in new_ids:
        cursor.execute(f"UPDATE {table} SET id = %s WHERE id = %s", [-old, old])  # noqa: S608
    for old, new in new_ids.items():
        cursor.execute(f"UPDATE {table} SET id = %s WHERE id = %s", [new, -old])  # noqa: S608
