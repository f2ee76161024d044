"""Model instances from plain SQL rows, built as the ORM builds them (every concrete field, the database backend's
converters, `from_db`). For the few reads that run on every request or connect, where building the ORM query cost
more than running it: core.sessions (a websocket's user), users.authentication (an API token and its user)."""

from __future__ import annotations

import functools

from django.db import connection
from django.db.models import Model
from django.db.models.expressions import Col


@functools.cache
def columns(model: type[Model], alias: str) -> tuple[str, tuple[Col, ...]]:
    """`alias.col, alias.col, …` for the model's concrete fields (quoted, from its metadata), and their columns."""
    q, meta = connection.ops.quote_name, model._meta
    cols = tuple(field.get_col(meta.db_table) for field in meta.concrete_fields)
    return ", ".join(f"{alias}.{q(col.target.column)}" for col in cols), cols


def from_row(model: type[Model], cols: tuple[Col, ...], values: tuple | list) -> Model:
    """The instance for `values`, read in the order `columns()` gives."""
    values = list(values)
    for i, col in enumerate(cols):
        for convert in connection.ops.get_db_converters(col) + col.get_db_converters(connection):
            values[i] = convert(values[i], col, connection)
    return model.from_db(connection.alias, [col.target.attname for col in cols], values)
