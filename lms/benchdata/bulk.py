"""Bulk inserts for the benchmark data: `copy_objects` writes model instances and
`copy_rows` plain rows straight into a model's table, with PostgreSQL's COPY (several times
faster than INSERT) and with INSERT elsewhere. `copy_rows` is also used by the HTTP
benchmarks' setup.
"""

import json
from collections.abc import Iterable

from django.db import connection, models


def copy_objects(model, objects: list) -> None:
    """Insert model instances into the model's own table (every local field, defaults where
    an instance leaves one unset): with COPY on PostgreSQL, several times faster than
    INSERT, and with INSERT elsewhere. Works for page types too, whose rows of
    wagtailcore_page are already there (bulk_create refuses multi-table inheritance)."""
    fields = [f for f in model._meta.local_concrete_fields if not f.primary_key or f.remote_field]
    if connection.vendor != "postgresql":
        batch = max(1, connection.ops.bulk_batch_size(fields, objects))
        for start in range(0, len(objects), batch):
            model._base_manager._insert(objects[start : start + batch], fields=fields)
        return
    prepared = (
        tuple(f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields)
        for obj in objects
    )
    _copy(model, fields, prepared)


def copy_rows(model, names: list[str], rows: Iterable[tuple]) -> None:
    """Insert plain rows, values of the fields `names` (attnames) in that order; the other
    fields take their defaults. COPY on PostgreSQL, bulk_create elsewhere. The JSON of a
    dict or list shared by many rows is written once."""
    fields = [model._meta.get_field(name) for name in names]
    rest = [
        f for f in model._meta.local_concrete_fields if not f.primary_key and f.attname not in names
    ]
    defaults = tuple(f.get_default() for f in rest)
    if connection.vendor != "postgresql":
        attnames = [f.attname for f in fields]
        objects = []
        for row in rows:
            objects.append(model(**dict(zip(attnames, row, strict=True))))
            if len(objects) >= 5_000:
                model.objects.bulk_create(objects)
                objects = []
        model.objects.bulk_create(objects)
        return
    fields += rest
    json_columns = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
    dumped: dict[int, tuple[object, str]] = {}

    def prepare(row: tuple) -> tuple:
        row = (*row, *defaults)
        if not json_columns:
            return row
        row = list(row)
        for i in json_columns:
            value = row[i]
            if value is None:
                continue
            cached = dumped.get(id(value))
            if cached is None:  # keep the value: its id stays its own
                cached = dumped[id(value)] = (value, json.dumps(value))
            row[i] = cached[1]
        return tuple(row)

    _copy(model, fields, (prepare(row) for row in rows))


def _copy(model, fields, rows: Iterable[tuple]) -> None:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
