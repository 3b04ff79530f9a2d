"""The network ledger: the one road from partners to the hub.

A partner-side change appends its event with `ledger_append`, inside the
transaction of the change. The event keeps only the groups of fields that the
partner's data-sharing agreement in force releases, and records which group each
field came from. The hub's read models (order status, quality summaries,
capacity, ...) are kept by projectors that the hub-side apps register per event
kind; they run in the same transaction, so a rollback leaves neither the event
nor its effect.

Because every read model is a function of the ledger, `ledger_rebuild` can empty
them and replay the ledger, filtering each old event through the agreement in
force now: a group a partner has withdrawn leaves nothing behind.
`ledger_verify` does that inside a transaction it rolls back and reports every
row that differs from the live read models.

The core knows no app: the agreements are read through the release policy that
the app keeping them registers (`release_policy_set`), and the projectors are
registered by the apps owning the read models (`projector_register`).
"""

from __future__ import annotations

import datetime
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import connection, transaction

from .models import LedgerEvent
from .vocabulary import LEDGER_KINDS

# Groups that no agreement withholds: what a partner sends the hub by its own act
# (a use-as-is request, a certificate it registers), and the hub's own decisions
# recorded on the ledger (a dispatch, a counter-proposal or use-as-is decided).
REQUEST = "request"
DECISION = "decision"
ALWAYS_RELEASED = frozenset({REQUEST, DECISION})

_release_policy: Callable[[int], Iterable[str]] | None = None


def release_policy_set(policy: Callable[[int], Iterable[str]]) -> None:
    """Register how to read the groups a partner (by id) releases now."""
    global _release_policy
    _release_policy = policy


def releases_in_force(partner_id: int) -> frozenset[str]:
    if _release_policy is None:
        raise RuntimeError("no release policy registered: the tenants app is not ready")
    return frozenset(_release_policy(partner_id)) | ALWAYS_RELEASED


# --- Locks -----------------------------------------------------------------------------------

# Appends take a shared lock on their partner and a rebuild an exclusive one, so a
# rebuild neither misses an event committed while it runs nor has its writes
# overwrite one: appends of the partner wait for the rebuild to commit, and the
# rebuild waits for appends under way. Transaction-scoped advisory locks in a key
# space of their own (two int4 keys: this namespace and a partner id, 0 for all).
LOCK_NAMESPACE = 0x1ED6E4


def _lock(partner_ids: list[int] | None, *, exclusive: bool) -> None:
    """Shared or exclusive on these partners; a rebuild of all partners takes the
    key of everyone exclusively, anything else takes it shared."""
    shared, sole = "pg_advisory_xact_lock_shared", "pg_advisory_xact_lock"
    calls = [f"{sole if exclusive and partner_ids is None else shared}(%s, 0)"]
    params = [LOCK_NAMESPACE]
    for partner_id in sorted(partner_ids or ()):
        calls.append(f"{sole if exclusive else shared}(%s, %s)")
        params += [LOCK_NAMESPACE, partner_id]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(calls)}", params)  # noqa: S608  (no user input)


# --- Projectors ------------------------------------------------------------------------------


class Projector:
    """Keeps one hub read model from ledger events.

    One instance serves one transaction: `apply` each event (with its payload as
    the agreement in force releases it), then `flush` once. While appending live,
    that is one event; while rebuilding, the whole ledger after `reset` has
    emptied the read model, so a projector may batch its writes until `flush`.
    """

    name: str = ""
    kinds: frozenset[str] = frozenset()

    def __init__(self, *, rebuilding: bool = False):
        self.rebuilding = rebuilding

    def reset(self, partner_ids: list[int] | None) -> None:
        """Empty the read model of these partners (None: all)."""
        raise NotImplementedError

    def apply(self, event: LedgerEvent, payload: dict) -> None:
        raise NotImplementedError

    def flush(self) -> None:
        """Write what `apply` gathered (nothing to do for a projector that writes as it goes)."""

    def rows(self, partner_ids: list[int] | None) -> list[tuple]:
        """The read model's rows of these partners, comparable and in a stable order."""
        raise NotImplementedError


def of_partners(queryset, partner_ids: list[int] | None, path: str = "partner"):
    """`queryset` narrowed to rows of these partners (None: all), the partner
    reached through `path` (e.g. "plant__partner")."""
    if partner_ids is None:
        return queryset
    return queryset.filter(**{f"{path}_id__in": partner_ids})


def payload_time(value: str | None) -> datetime.datetime | None:
    """A time the payload carries (ISO 8601, as services write it)."""
    return datetime.datetime.fromisoformat(value) if value else None


_projectors: list[type[Projector]] = []


def projector_register(cls: type[Projector]) -> type[Projector]:
    """Register a projector (usable as a class decorator); once per class."""
    for kind in cls.kinds:
        LEDGER_KINDS.check(kind)
    if cls not in _projectors:
        _projectors.append(cls)
    return cls


def projectors() -> list[type[Projector]]:
    return list(_projectors)


# --- Appending --------------------------------------------------------------------------------


def released_groups(groups: dict[str, dict], releases: frozenset[str]) -> dict[str, dict]:
    """The groups of fields that `releases` lets through, empty groups dropped."""
    return {group: dict(fields) for group, fields in groups.items() if group in releases and fields}


def ledger_append(
    *,
    partner,
    kind: str,
    groups: dict[str, dict],
    actor_label: str,
    order_number: str = "",
    work_order_number: str = "",
) -> LedgerEvent | None:
    """Append one event with the groups the partner's agreement releases, then
    run the projectors of its kind. Call it inside the transaction of the change
    it records. An event of which nothing is released is not appended (None)."""
    LEDGER_KINDS.check(kind)
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ledger_append runs inside the transaction of the change it records")
    released = released_groups(groups, releases_in_force(partner.pk))
    if not released:
        return None
    _lock([partner.pk], exclusive=False)
    payload: dict = {}
    fields_by_group: dict[str, list[str]] = {}
    for group, fields in released.items():
        overlap = payload.keys() & fields.keys()
        if overlap:
            raise ValueError(f"field(s) {sorted(overlap)} appear in more than one group")
        payload.update(fields)
        fields_by_group[group] = sorted(fields)
    event = LedgerEvent.objects.create(
        partner=partner,
        kind=kind,
        order_number=order_number,
        work_order_number=work_order_number,
        actor_label=actor_label,
        payload=payload,
        groups=fields_by_group,
    )
    for cls in _projectors:
        if kind in cls.kinds:
            projector = cls()
            projector.apply(event, event.payload)
            projector.flush()
    return event


# --- Rebuilding -------------------------------------------------------------------------------


@dataclass
class RebuildReport:
    events: int = 0
    seconds: float = 0.0
    # read model name -> number of rows after the rebuild
    rows: dict[str, int] = field(default_factory=dict)
    # read model name -> rows that differ (live only, rebuilt only), for `ledger_verify`
    differences: dict[str, tuple[list, list]] = field(default_factory=dict)

    @property
    def equal(self) -> bool:
        return not self.differences


def ledger_rebuild(*, partner_ids: list[int] | None = None) -> RebuildReport:
    """Empty every read model (of these partners) and replay the ledger into it,
    each event filtered through the agreement in force now. One transaction,
    holding the ledger's lock on those partners (all: every partner)."""
    started = time.perf_counter()
    report = RebuildReport()
    with transaction.atomic():
        _lock(partner_ids, exclusive=True)
        instances = [cls(rebuilding=True) for cls in _projectors]
        by_kind: dict[str, list[Projector]] = defaultdict(list)
        for projector in instances:
            projector.reset(partner_ids)
            for kind in projector.kinds:
                by_kind[kind].append(projector)
        releases: dict[int, frozenset[str]] = {}
        events = LedgerEvent.objects.order_by("id")
        if partner_ids is not None:
            events = events.filter(partner_id__in=partner_ids)
        for event in events.iterator(chunk_size=5000):
            report.events += 1
            targets = by_kind.get(event.kind)
            if not targets:
                continue
            if event.partner_id not in releases:
                releases[event.partner_id] = releases_in_force(event.partner_id)
            payload = event.released_payload(releases[event.partner_id])
            for projector in targets:
                projector.apply(event, payload)
        for projector in instances:
            projector.flush()
        for projector in instances:
            report.rows[projector.name] = len(projector.rows(partner_ids))
    report.seconds = time.perf_counter() - started
    return report


def ledger_verify(*, partner_ids: list[int] | None = None) -> RebuildReport:
    """Rebuild inside a transaction that is rolled back, and report every read
    model whose rebuilt rows differ from the live ones."""
    with transaction.atomic():
        live = {cls.name: cls().rows(partner_ids) for cls in _projectors}
        report = ledger_rebuild(partner_ids=partner_ids)
        for cls in _projectors:
            rebuilt = cls().rows(partner_ids)
            if rebuilt != live[cls.name]:
                live_set, rebuilt_set = set(live[cls.name]), set(rebuilt)
                report.differences[cls.name] = (
                    sorted(live_set - rebuilt_set, key=repr),
                    sorted(rebuilt_set - live_set, key=repr),
                )
        transaction.set_rollback(True)
    return report
