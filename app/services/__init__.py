"""Use cases: what a screen (or the CLI) asks the app to do, each owning its transaction.

This layer sits between ``app.ui`` and ``app.sync`` + ``app.store``.  A screen calls a use case
("search clients", "open client", "release held items", "sign in" …) and gets back typed values —
frozen dataclasses or NamedTuples, never ORM rows — and hears about changes through one typed event
bus (:mod:`app.services.events`).  Nothing here imports Qt, so the CLI and tests call the same code
the windows do.

Kept import-light on purpose: a second launch must decide it is the second without loading
SQLAlchemy, so every module imports the store's heavy parts only where it needs them.
"""
