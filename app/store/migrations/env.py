"""Alembic environment for the workspace database.

At run time ``app.store.migrate`` hands us an open connection (already inside one ``BEGIN
IMMEDIATE`` transaction, foreign keys off) through ``config.attributes["connection"]``; nothing is
read from an ini file, so this works the same from a source checkout and from the frozen bundle.
From the Alembic command line (developers writing a revision) we open ``-x db=PATH`` ourselves.
"""

from alembic import context
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import app.store.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from app.store.migrate import include_object

config = context.config
target_metadata = SQLModel.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite alters tables by rebuilding them
        transactional_ddl=True,  # SQLite has transactional DDL: a failed upgrade leaves no trace
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_from_command_line() -> None:
    db_path = context.get_x_argument(as_dictionary=True).get("db")
    if not db_path:
        raise SystemExit("pass the database file: alembic -c app/store/migrations/alembic.ini -x db=PATH ...")
    engine = create_engine(f"sqlite:///{db_path}")
    try:
        with engine.begin() as connection:
            _run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported for the workspace database")

provided = config.attributes.get("connection")
if provided is not None:
    _run(provided)
else:
    _run_from_command_line()
