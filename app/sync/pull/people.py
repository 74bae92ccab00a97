"""Pulling people: Contacts or Accounts (households, person accounts), optionally Leads.

Full pulls page through ``ORDER BY SystemModstamp, Id`` and commit each page with its cursor;
incremental pulls use ``queryAll`` since the last position minus the overlap; pick mode pulls only
the imported records, by Id.  See ``app.sync.pull.engine`` for the why of each rule.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from app.salesforce.errors import InvalidQuery, NotFound
from app.salesforce.results import QueryPage
from app.store import people, settings, sync_state
from app.store.sync_state import CursorState
from app.sync.pull import field_map
from app.sync.pull import queries as q
from app.sync.pull import records as rec
from app.sync.pull.base import PullContext, is_type, key_of
from app.sync.pull.field_map import FieldMapping
from app.sync.pull.filtered import UNSET, FilteredPulls
from app.sync.pull.pages import PAGE_SIZE
from app.sync.pull.records import RecordKey, RowMapper
from app.sync.pull.types import SkippedRecord
from app.sync.pull.writes import CursorPlan, PageResult, PeopleBatch, max_key, people_page, prepare_people
from app.wording import counted

log = logging.getLogger(__name__)

STALE_AFTER = timedelta(days=14)  # a day's margin inside the recycle bin's 15 days


@dataclass(frozen=True)
class PeopleSpec:
    sobject: str
    label: str
    fields: tuple[str, ...]
    mapper: RowMapper
    mirror_accounts: bool = False

    def counted(self, n: int, what: str = "") -> str:
        """``"1 changed contact"``, ``"2,000 changed contacts"`` (labels are plural nouns ending in s)."""
        noun = f"{what} {self.label}".strip()
        return counted(n, noun.removesuffix("s"), noun)

    def cursor_key(self, pick: bool, owner_id: str | None = None) -> str:
        """One position per way of choosing records: switching between all / mine / pick must
        start a fresh pull, not continue another selection's."""
        if pick:
            return f"{self.sobject}:pick"
        return f"{self.sobject}:mine:{owner_id}" if owner_id else self.sobject


class PeoplePulls:
    """Contacts or Accounts (and Leads) into the workspace: full, incremental, pick mode and imports.

    ``filters`` is the run's filter part: the WHERE of each query and the work a filter change costs."""

    def __init__(self, ctx: PullContext, filters: FilteredPulls) -> None:
        self.ctx = ctx
        self.filters = filters
        self._person_accounts: bool | None = None  # the org's answer, asked once per engine
        self._dropped_fields: dict[str, list[str]] = {}  # mapped fields the org no longer has

    async def people_specs(self, *, all_objects: bool = False) -> list[PeopleSpec]:
        """The objects to pull (``all_objects``: every kind pick mode can import)."""
        specs = []
        if self.ctx.prefs.client_object == "Account":
            fields: tuple[str, ...] = q.ACCOUNT_FIELDS
            if await self._has_person_accounts():
                fields = (*fields, *q.PERSON_ACCOUNT_FIELDS)
            specs.append(PeopleSpec("Account", "households", fields, rec.account_person_row, mirror_accounts=True))
        else:
            specs.append(PeopleSpec("Contact", "contacts", q.CONTACT_FIELDS, rec.contact_row))
        if self.ctx.prefs.include_leads or all_objects:
            specs.append(PeopleSpec("Lead", "leads", q.LEAD_FIELDS, rec.lead_row))
        return [self._mapped(spec) for spec in specs]

    def _mapped(self, spec: PeopleSpec) -> PeopleSpec:
        """The spec with the advisor's field mapping: its source and extra fields asked for too."""
        mapping = self._mapping_for(spec.sobject)
        if mapping is None:
            return spec
        known = {f.lower() for f in spec.fields}
        more = tuple(f for f in mapping.source_fields() if f.lower() not in known)
        return replace(spec, fields=(*spec.fields, *more), mapper=field_map.mapped(spec.mapper, mapping))

    def _mapping_for(self, sobject: str) -> FieldMapping | None:
        for mapping in self.ctx.prefs.field_mappings:
            if mapping.sobject == sobject:
                for name in self._dropped_fields.get(sobject, ()):
                    mapping = mapping.without(name)
                return mapping
        return None

    async def pull_people_mapped(self, spec: PeopleSpec, *, full: bool) -> None:
        """``_pull_people``, dropping a mapped field the org no longer has (deleted, or hidden from this
        user): Salesforce refuses the whole query for it, so the field goes, the sync log says so, and
        the pull goes on without it."""
        mapping = self._mapping_for(spec.sobject)
        wanted = sorted(f.lower() for f in mapping.source_fields()) if mapping else []
        applied_key = f"sync.fields_applied.{spec.cursor_key(False, self.ctx.prefs.owner_id)}"
        if not self.ctx.prefs.pick_mode and wanted:
            applied = await self.ctx.db.run(lambda s: settings.get(s, self.ctx.connection_id, applied_key, []))
            # New fields: every record is read once more to fill them (later pulls are incremental again).
            full = full or not set(wanted) <= set(applied if isinstance(applied, list) else [])
        while True:
            try:
                await self._pull_people(spec, full=full)
                if not self.ctx.prefs.pick_mode:
                    await self._save_fields_applied(spec.sobject, applied_key)
                return
            except InvalidQuery as exc:
                name = field_map.missing_field(str(exc)) if exc.error_code == "INVALID_FIELD" else None
                mapping = self._mapping_for(spec.sobject)
                if name is None or mapping is None or name.lower() not in {
                        f.lower() for f in mapping.source_fields()}:
                    raise
                await self._drop_field(spec.sobject, mapping, name)
                spec = self._mapped(replace(spec, fields=tuple(f for f in spec.fields if f.lower() != name.lower())))

    async def _save_fields_applied(self, sobject: str, key: str) -> None:
        mapping = self._mapping_for(sobject)
        fields = sorted(f.lower() for f in mapping.source_fields()) if mapping else []
        await self.ctx.db.run(lambda s: settings.put(s, self.ctx.connection_id, key, fields))

    async def _drop_field(self, sobject: str, mapping: FieldMapping, name: str) -> None:
        self._dropped_fields.setdefault(sobject, []).append(name)
        label = next((e.label for e in mapping.extras if e.name.lower() == name.lower()), name)
        reason = (f"The field \"{label}\" ({name}) is no longer in Salesforce or no longer visible to you; "
                  "it was dropped from your field choices and the sync went on without it.")
        self.ctx.tally.skipped.append(SkippedRecord(sobject, None, reason))
        self.ctx.tally.add("fields_dropped", 1)
        log.warning("%s.%s is gone from the org; dropped from the field mapping", sobject, name)
        cid = self.ctx.connection_id

        def forget(session: Any) -> None:
            saved = settings.get(session, cid, field_map.MAPPINGS_KEY)
            value = dict(saved) if isinstance(saved, dict) else {}
            value[sobject] = mapping.without(name).to_json()
            settings.put(session, cid, field_map.MAPPINGS_KEY, value)

        await self.ctx.db.run(forget)

    async def _has_person_accounts(self) -> bool:
        if self._person_accounts is None:
            describe = await self.ctx.client.describe("Account")  # cached by the client
            names = {f.get("name") for f in describe.get("fields", []) if isinstance(f, dict)}
            self._person_accounts = "IsPersonAccount" in names
        return self._person_accounts

    async def _pull_people(self, spec: PeopleSpec, *, full: bool) -> None:
        if self.ctx.prefs.pick_mode:
            await self._pull_picked(spec, full=full)
            return
        key = spec.cursor_key(False, self.ctx.prefs.owner_id)
        cursor = await self.ctx.db.run(lambda s: sync_state.get_cursor(s, self.ctx.connection_id, key))
        stale = (
            cursor is not None and cursor.phase == "incremental" and cursor.last_modstamp is not None
            and self.ctx.now() - cursor.updated_at > STALE_AFTER
        )
        if cursor is not None and cursor.phase == "full" and not full:
            applied = await self.filters.applied(key)
            if applied != UNSET and applied != self.filters.where_for(spec.sobject):
                cursor = None  # a full pull begun under another filter: start it again under this one
        if cursor is not None and cursor.phase == "full" and not full:
            await self._full_people(spec, resume=cursor)
        elif full or cursor is None or stale:
            # A first pull into an empty workspace has nothing to sweep: skip a pass over the table.
            have = await self.ctx.db.run(lambda s: people.live_count(s, self.ctx.connection_id, spec.sobject))
            await self._full_people(spec, resume=None, sweep=have > 0)
        else:
            await self.filters.apply_change(spec, key)
            await self._incremental_people(spec, cursor)

    async def _full_people(self, spec: PeopleSpec, *, resume: CursorState | None, sweep: bool = True) -> None:
        cid, key = self.ctx.connection_id, spec.cursor_key(False, self.ctx.prefs.owner_id)
        started_key = f"{key}#started"
        if resume is None:
            now = self.ctx.now()
            started = now if sweep else None

            def mark(session: Any) -> None:
                sync_state.save_cursor(session, cid, started_key, phase="full", last_modstamp=now,
                                       last_id="sweep" if sweep else None)
                sync_state.save_cursor(session, cid, key, phase="full", last_modstamp=None, last_id=None)

            await self.ctx.db.run(mark)
            if sweep and self.filters.where_for(spec.sobject) is not None:
                # Under a filter the sweep would drop everyone outside it, people with drafts too: mark
                # those first (a write after ``started``, which the sweep spares), let the rest go.
                await self.filters.drop(spec, f"NOT {self.filters.where_for(spec.sobject)}")
            position, done = None, 0
            where = self.filters.where_for(spec.sobject)
            await self.filters.save_applied(key, where)
            page = await self.ctx.client.query_page(q.people(spec.sobject, spec.fields,
                                                             owner_id=self.ctx.prefs.owner_id, where=where),
                                                    batch_size=PAGE_SIZE)
            total = page.total_size
        else:
            marker = await self.ctx.db.run(lambda s: sync_state.get_cursor(s, cid, started_key))
            started = marker.last_modstamp if marker and marker.last_id == "sweep" else None
            position = key_of(resume)
            done = resume.record_offset or 0
            page, total = await self._resume_page(spec, resume, position, done)
            log.info("resuming the full %s pull after %d records", spec.sobject, done)

        async def write(page: QueryPage, last: bool, batch: PeopleBatch | None) -> PageResult:
            nonlocal position, done
            done += len(page.records)
            plan = CursorPlan(
                key, phase="incremental" if last else "full", floor=position,
                next_records_url=None if last else page.next_records_url,
                record_offset=None if last else done,
                sweep_source=spec.sobject if last and started else None, sweep_since=started if last else None,
                drop_keys=(started_key,) if last else (),
            )
            result = await self.ctx.db.run(people_page(
                cid, spec.sobject, page.records, spec.mapper, plan, mirror_accounts=spec.mirror_accounts,
                batch=batch))
            position = result.last_key or position
            self.ctx.tally.page(spec.sobject, result)
            self.ctx.progress(spec.sobject, done, max(total, done), f"{done:,} of {max(total, done):,} {spec.label}")
            return result

        self.ctx.progress(spec.sobject, done, total or None, f"Fetching {spec.label}…")
        relocated_at = -1
        while True:
            try:
                await self._walk_people(spec, page, write)
                return
            except InvalidQuery as exc:
                # Salesforce released the locator mid-pull (another query of the same user opened the
                # 11th cursor: history, a second workspace) or it idled out: ask again for the records
                # after the last committed one. Only while that makes progress.
                if exc.error_code != "INVALID_QUERY_LOCATOR" or done == relocated_at:
                    raise
                relocated_at = done
                log.info("query locator released after %d %s; continuing by position", done, spec.sobject)
                page = await self.ctx.client.query_page(q.people(spec.sobject, spec.fields, resume=position,
                                                                 owner_id=self.ctx.prefs.owner_id,
                                                                 where=self.filters.where_for(spec.sobject)),
                                                        batch_size=PAGE_SIZE)
                total = done + page.total_size

    async def _walk_people(
        self, spec: PeopleSpec, page: QueryPage, write: Callable[[QueryPage, bool, Any], Awaitable[PageResult]]
    ) -> None:
        """Pages of people are mapped in a worker thread as they arrive (see ``prepare_people``)."""
        cid = self.ctx.connection_id
        await self.ctx.walk_prepared(page, lambda page: prepare_people(
            cid, spec.sobject, page.records, spec.mapper, mirror_accounts=spec.mirror_accounts), write)

    async def _resume_page(
        self, spec: PeopleSpec, cursor: CursorState, position: RecordKey | None, done: int
    ) -> tuple[QueryPage, int]:
        """Continue a full pull: the saved query locator if Salesforce still has it, else a fresh
        query for the records after the last committed one."""
        if cursor.next_records_url:
            try:
                page = await self.ctx.client.query_more(cursor.next_records_url, batch_size=PAGE_SIZE)
                return page, page.total_size
            except (InvalidQuery, NotFound, ValueError) as exc:
                log.info("query locator expired (%s); resuming by position", getattr(exc, "error_code", exc))
        page = await self.ctx.client.query_page(q.people(spec.sobject, spec.fields, resume=position,
                                                         owner_id=self.ctx.prefs.owner_id,
                                                         where=self.filters.where_for(spec.sobject)),
                                                batch_size=PAGE_SIZE)
        return page, done + page.total_size

    async def _incremental_people(self, spec: PeopleSpec, cursor: CursorState) -> None:
        cid, key = self.ctx.connection_id, spec.cursor_key(False, self.ctx.prefs.owner_id)
        hwm = key_of(cursor)
        since = cursor.last_modstamp - self.ctx.overlap if cursor.last_modstamp else None
        soql = q.people(spec.sobject, spec.fields, since=since, owner_id=self.ctx.prefs.owner_id,
                        where=self.filters.where_for(spec.sobject))
        page = await self.ctx.client.query_page(soql, include_deleted=True, batch_size=PAGE_SIZE)
        total, done = page.total_size, 0

        async def write(page: QueryPage, last: bool, batch: PeopleBatch | None) -> PageResult:
            nonlocal hwm, done
            done += len(page.records)
            plan = CursorPlan(key, phase="incremental", floor=hwm)
            result = await self.ctx.db.run(people_page(
                cid, spec.sobject, page.records, spec.mapper, plan, mirror_accounts=spec.mirror_accounts,
                detect_new=True, batch=batch))
            hwm = max_key(hwm, result.last_key)
            self.ctx.tally.page(spec.sobject, result)
            # Not "changed": the overlap re-reads the last minutes' records, changed or not.
            self.ctx.progress(spec.sobject, done, max(total, done), f"Checked {spec.counted(done)} for changes")
            return result

        await self._walk_people(spec, page, write)
        await self.filters.drop_changed_out(spec, since)

    async def _pull_picked(self, spec: PeopleSpec, *, full: bool) -> None:
        """Pick mode: only the imported records, by Id.  ``queryAll`` so deletions show up."""
        cid, key = self.ctx.connection_id, spec.cursor_key(True)

        def read(session: Any) -> tuple[CursorState | None, list[str]]:
            return sync_state.get_cursor(session, cid, key), sync_state.picked_ids(session, cid)

        cursor, picked = await self.ctx.db.run(read)
        wanted = [i for i in picked if is_type(i, spec.sobject)]
        if not wanted:
            return
        hwm = key_of(cursor) if cursor else None
        since = (None if full or cursor is None or cursor.last_modstamp is None
                 else cursor.last_modstamp - self.ctx.overlap)
        newest = hwm
        for start in range(0, len(wanted), q.IDS_PER_QUERY):
            chunk = wanted[start : start + q.IDS_PER_QUERY]
            soql = q.people(spec.sobject, spec.fields, since=since, sf_ids=chunk)
            page = await self.ctx.client.query_page(soql, include_deleted=True, batch_size=PAGE_SIZE)

            async def write(page: QueryPage, last: bool) -> PageResult:
                nonlocal newest
                result = await self.ctx.db.run(people_page(
                    cid, spec.sobject, page.records, spec.mapper, CursorPlan(None),
                    mirror_accounts=spec.mirror_accounts))
                newest = max_key(newest, result.last_key)
                self.ctx.tally.page(spec.sobject, result)
                return result

            await self.ctx.walk(page, write)
        # The position moves only once every chunk is in: chunks interleave in time.
        await self.ctx.db.run(lambda s: sync_state.save_cursor(
            s, cid, key, phase="incremental", last_modstamp=newest.modstamp if newest else None,
            last_id=newest.sf_id if newest else None))

    async def import_records(self, sf_ids: list[str]) -> list[str]:
        """Pick mode's import: the chosen records by Id, remembered as picked; returns the Ids found."""
        cid = self.ctx.connection_id
        specs = {spec.sobject: spec for spec in await self.people_specs(all_objects=True)}
        imported: list[str] = []
        for sobject, spec in specs.items():
            wanted = [i for i in sf_ids if is_type(i, sobject)]
            for start in range(0, len(wanted), q.IDS_PER_QUERY):
                chunk = wanted[start : start + q.IDS_PER_QUERY]
                page = await self.ctx.client.query_page(q.people(sobject, spec.fields, sf_ids=chunk),
                                                        batch_size=PAGE_SIZE)

                async def write(page: QueryPage, last: bool, spec: PeopleSpec = spec) -> PageResult:
                    result = await self.ctx.db.run(people_page(
                        cid, spec.sobject, page.records, spec.mapper, CursorPlan(None),
                        mirror_accounts=spec.mirror_accounts, picked=[r["Id"] for r in page.records
                                                                      if isinstance(r.get("Id"), str)]))
                    imported.extend(result.seen_ids)
                    self.ctx.tally.page(spec.sobject, result)
                    return result

                await self.ctx.walk(page, write)
        return imported
