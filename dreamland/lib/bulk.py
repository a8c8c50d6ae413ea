"""Inserting many rows in one statement without a model instance per row (imports).

`QuerySet.bulk_create` builds a model object per row and prepares every value through its field;
for an import of 100k clients and their leads that was most of the run. `insert_rows` writes the
same rows with one statement per batch: on PostgreSQL `COPY`, or an `INSERT … SELECT FROM
unnest(arrays)` (a handful of parameters, whatever the number of rows) when rows may be skipped
or their ids are wanted back; elsewhere a multi-row `VALUES`.
`ON CONFLICT DO NOTHING` skips rows a unique index refuses (only those: a CHECK or NOT NULL
violation still fails the statement), and `RETURNING` tells which rows were written.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import connection, models

# Fields whose cleaned Python value (str, int or None) is what the database stores.
_AS_GIVEN = frozenset(
    (
        "CharField",
        "TextField",
        "EmailField",
        "ForeignKey",
        "IntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveBigIntegerField",
        "PositiveSmallIntegerField",
    )
)


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field) and field.concrete, f"{name} is not a column"
    return field


def _column(field: models.Field[Any, Any]) -> str:
    assert field.column is not None
    return field.column


def _as_given(field: models.Field[Any, Any]) -> bool:
    kind = field.get_internal_type()
    # PostgreSQL takes aware datetimes as they are (Django's preparation returns them as is).
    return kind in _AS_GIVEN or (kind == "DateTimeField" and connection.vendor == "postgresql")


def _prepare(
    row: Sequence[Any], indexes: list[int], fields: list[models.Field[Any, Any]]
) -> list[Any]:
    values = list(row)
    for i in indexes:
        values[i] = fields[i].get_db_prep_save(values[i], connection)
    return values


def insert_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    constants: Mapping[str, Any] | None = None,
    ignore_conflicts: bool = False,
    returning: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """Insert `rows` (values of `fields`, in order) into `model`'s table; return the `returning`
    columns of the rows written (none skipped by `ignore_conflicts`).

    Values of text, integer and foreign-key fields are written as given (str, int or None: the
    caller has cleaned them); those of other fields (dates, decimals…) go through their field's
    preparation, as `constants` (the same for every row) do once. Columns not named get their
    database default (or NULL). No signals, no `save()`: use it where `bulk_create` would be.
    """
    if not rows:
        return []
    meta = model._meta
    constants = constants or {}
    quote = connection.ops.quote_name
    row_fields = [_field(model, name) for name in fields]
    prepared = [i for i, f in enumerate(row_fields) if not _as_given(f)]
    if prepared:
        rows = [_prepare(row, prepared, row_fields) for row in rows]
    constant_fields = [_field(model, name) for name in constants]
    constant_values = [f.get_db_prep_save(constants[f.name], connection) for f in constant_fields]
    columns = ", ".join(quote(_column(f)) for f in [*row_fields, *constant_fields])
    tail = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    if returning:
        tail += " RETURNING " + ", ".join(quote(_column(_field(model, name))) for name in returning)
    table = quote(meta.db_table)
    written: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not ignore_conflicts and not returning:
            # COPY: the fastest way in, when no row may be skipped and none is asked back.
            sql = f"COPY {table} ({columns}) FROM STDIN"
            started = time.monotonic()
            with cursor.cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row((*row, *constant_values))
            if connection.queries_logged:  # seen by query counts and the debug log like any
                connection.queries_log.append(
                    {
                        "sql": f"{sql} -- {len(rows)} rows",
                        "time": f"{time.monotonic() - started:.3f}",
                    }
                )
            return written
        if connection.vendor == "postgresql":
            arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in row_fields)
            select = ", ".join(["u.*", *["%s"] * len(constant_values)])
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT {select} FROM unnest({arrays}) AS u{tail}",  # noqa: S608 - names from the model
                [*constant_values, *(list(column) for column in zip(*rows, strict=True))],
            )
            if returning:
                written += cursor.fetchall()
            return written
        width = len(row_fields) + len(constant_values)
        one = "(" + ", ".join(["%s"] * width) + ")"
        batch = max(1, (connection.features.max_query_params or 999) // width)
        for start in range(0, len(rows), batch):
            part = rows[start : start + batch]
            params: list[Any] = []
            for row in part:
                params += row
                params += constant_values
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([one] * len(part))}{tail}",  # noqa: S608 - names from the model
                params,
            )
            if returning:
                written += cursor.fetchall()
    return written
