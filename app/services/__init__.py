"""Use cases: what a screen (or the CLI) asks the app to do, each owning its transaction.

This layer sits between ``app.ui`` and ``app.sync`` + ``app.store`` (import-linter: the UI imports
neither the store nor the engines' internals).  A screen calls a use case and gets back typed values —
frozen dataclasses or NamedTuples, never ORM rows — and hears about changes through one typed event
bus, :mod:`app.services.events`.  Nothing here imports Qt, so the CLI and tests call the same code the
windows do.

- ``clients``: list page, search clients, open client (``ClientDetail``)
- ``drafts``: new note/task, save draft, queue for push;  ``outbox``: the outbox and its decisions
- ``sync_settings``: change sync settings, release held items;  ``prospects``: add a new person
- ``sync_log``, ``usage``, ``forget``: the Settings page's log, API usage, and forgetting an org
- ``sign_in``: the one sign-in of the wizard and ``notebridge connect``;  ``setup``, ``first_sync``: the wizard's
- ``client_sync``, ``outbox_sync``, ``connection_status``: the running pull, push and connection, on the bus
- ``workspace``: the workspace handle, its errors and its lock (light: no SQLAlchemy on import)

Kept import-light on purpose: a second launch must decide it is the second without loading
SQLAlchemy, so this package's ``__init__`` imports nothing.
"""
