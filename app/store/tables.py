"""The SQLAlchemy ``Table`` behind a SQLModel class, typed.

SQLModel sets ``__table__`` on every ``table=True`` class at class creation, but its types do not
declare it, so ``Model.__table__`` reads as an error to a type checker.  The mapper knows the same
table and says so in its types: one helper here instead of an ignore at every use.
"""

from __future__ import annotations

from sqlalchemy import Table
from sqlalchemy.orm import class_mapper
from sqlmodel import SQLModel


def table_of(model: type[SQLModel]) -> Table:
    """The table a ``table=True`` model is mapped to (the model is the one description of it)."""
    table = class_mapper(model).local_table
    if not isinstance(table, Table):  # only a model mapped to a select() would get here
        raise TypeError(f"{model.__name__} is not mapped to a table")
    return table
