"""Writing many rows' fields at once, for rebuilds of read models.

Django's `bulk_update` builds one CASE expression per field over the whole
batch, which PostgreSQL evaluates row by row: quadratic in the batch size.
`rows_update` joins the table to a VALUES list instead, in batches, with every
value cast to its column's type (so that NULLs and dates need no inference).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection


def rows_update(model, objects: Iterable, fields: Sequence[str], *, batch_size: int = 5000) -> int:
    """Write `fields` of each object to its row (matched by primary key); the
    number of rows written."""
    meta = model._meta
    columns = [meta.pk] + [meta.get_field(name) for name in fields]
    casts = [f"%s::{column.cast_db_type(connection)}" for column in columns]
    row_sql = f"({', '.join(casts)})"
    names = [connection.ops.quote_name(column.column) for column in columns]
    table = connection.ops.quote_name(meta.db_table)
    assignments = ", ".join(f"{name} = v.{name}" for name in names[1:])
    pk = names[0]
    written = 0
    batch: list = []

    def write():
        nonlocal written
        sql = (
            f"UPDATE {table} AS t SET {assignments} "  # noqa: S608  (names from the model)
            f"FROM (VALUES {', '.join([row_sql] * len(batch))}) AS v({', '.join(names)}) "
            f"WHERE t.{pk} = v.{pk}"
        )
        params = [
            column.get_db_prep_save(getattr(obj, column.attname), connection)
            for obj in batch
            for column in columns
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            written += cursor.rowcount
        batch.clear()

    for obj in objects:
        batch.append(obj)
        if len(batch) >= batch_size:
            write()
    if batch:
        write()
    return written
