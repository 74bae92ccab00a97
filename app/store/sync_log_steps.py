"""The sync log read per step: each step's last run, its entries, its newest error and recent errors.

For Settings → Sync steps (through ``app.services.sync_steps``).  A pull step writes one entry per
run; a push writes one entry per item it settled, all with the run's one timestamp
(:func:`app.store.sync_log.record_push`), so "the last run" of a push step is its entries at the
newest ``started_at``.  Entries still "running" are reported apart: the last *finished* run keeps
showing its counts while the next one runs.  Every query is on ``ix_sync_log_connection_step_started``.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session

from app.store.sync_log import LogRow, T, row_of
from app.store.sync_steps import SyncStep

RUNNING = "running"


@dataclass(frozen=True, slots=True)
class StepActivity:
    """What the log says about one step."""

    step: SyncStep
    last_run: tuple[LogRow, ...] = ()  # the entries of its last finished run (one for a pull step)
    running: bool = False              # an entry of the step is open now
    last_error: LogRow | None = None   # its newest entry that went wrong
    errors_since: int = 0              # how many of its entries went wrong since the given moment

    @property
    def last_run_at(self) -> datetime | None:
        return self.last_run[0].started_at if self.last_run else None


def step_activity(session: Session, connection_id: int, *, since: datetime, error_outcomes: Collection[str],
                  not_errors: Collection[str] = ()) -> dict[SyncStep, StepActivity]:
    """Every step the log has entries for.  An entry "went wrong" when its outcome is one of
    ``error_outcomes`` and its error code is not one of ``not_errors`` (a hold the advisor chose)."""
    mine = (T.c.connection_id == connection_id, T.c.step.is_not(None))
    wrong = (T.c.outcome.in_(list(error_outcomes)), func.coalesce(T.c.error_code, "").not_in(list(not_errors)))
    newest = dict(session.execute(select(T.c.step, func.max(T.c.started_at)).where(
        *mine, T.c.outcome != RUNNING).group_by(T.c.step)).all())
    running = {str(s) for (s,) in session.execute(select(T.c.step).where(*mine, T.c.outcome == RUNNING).distinct())}
    counts = dict(session.execute(select(T.c.step, func.count()).where(
        *mine, *wrong, T.c.started_at >= since).group_by(T.c.step)).all())
    found: dict[SyncStep, StepActivity] = {}
    for value in {*newest, *running, *counts}:
        try:
            step = SyncStep(str(value))
        except ValueError:  # written by a newer version: not this screen's to show
            continue
        last_run: tuple[LogRow, ...] = ()
        if value in newest:
            # ``max`` comes back through the column's type and binds back to the very text stored.
            rows = session.execute(select(*T.columns).where(
                *mine, T.c.step == value, T.c.outcome != RUNNING, T.c.started_at == newest[value]).order_by(
                T.c.id)).all()
            last_run = tuple(row_of(r) for r in rows)
        error = session.execute(select(*T.columns).where(*mine, T.c.step == value, *wrong).order_by(
            T.c.started_at.desc(), T.c.id.desc()).limit(1)).first()
        found[step] = StepActivity(step, last_run, value in running, row_of(error) if error is not None else None,
                                   int(counts.get(value, 0)))
    return found


__all__ = ["StepActivity", "step_activity"]
