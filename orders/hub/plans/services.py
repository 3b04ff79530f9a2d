"""Plans on the hub: build the engine's input from hub tables, run it in the
background, review, compare (what-if) and approve.

The engine (`orders.planning`) knows nothing of Django; this module turns the
hub's data into its frozen dataclasses and keeps every run with its inputs and
result (`PlanRun`), so that an auditor can see months later why an order went
where it did. Partners' capacity comes from the hub's copy of their declaration
(`PlantCapacity`), never from their schemas.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.planning import model as engine
from orders.planning.greedy import greedy
from orders.planning.jsonio import plan_from_json, plan_to_json, problem_from_json, problem_to_json
from orders.planning.solver import solve
from orders.vocabulary import PLAN_APPROVED, PLAN_CANCELLED, PLAN_STARTED
from portal.audit import audit_record
from tenants.models import Certification, Partner, Plant

from ..models.orders import Dispatch, NetworkOrder
from ..models.plans import PlanRun
from ..models.plants import FreightLane

HORIZON_WEEKS = 8
MAX_HORIZON_WEEKS = 26
# Penalty per unit and day late, by order priority (network currency).
LATENESS_PER_UNIT_DAY = {1: 0.5, 2: 1.0, 3: 3.0, 4: 10.0}
# Plan stability: cost per unit of already dispatched work moved to another plant.
MOVE_PER_UNIT = 25.0
PLANNABLE = (NetworkOrder.Status.DRAFT, NetworkOrder.Status.REJECTED)
LIVE = ~Q(status=Dispatch.Status.REJECTED)


# --- Which orders -------------------------------------------------------------------------


def plannable_orders() -> Iterable[NetworkOrder]:
    """Orders with quantity left to dispatch (the default selection of a plan)."""
    orders = (
        NetworkOrder.objects.exclude(status=NetworkOrder.Status.SHIPPED)
        .select_related("revision__product")
        .prefetch_related(Prefetch("dispatches", queryset=Dispatch.objects.filter(LIVE)))
        .order_by("due_date", "number")
    )
    plannable = []
    for order in orders:
        order.remaining = _remaining(order)
        if order.remaining > 0:
            plannable.append(order)
    return plannable


def _remaining(order: NetworkOrder) -> int:
    return order.quantity - sum(d.quantity for d in order.dispatches.all())


# --- The engine's input -------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    """What-if: plants down for date ranges, partners suspended."""

    plants_down: tuple[tuple[int, datetime.date, datetime.date], ...] = ()
    partners_suspended: tuple[int, ...] = ()

    def to_json(self) -> dict:
        return {
            "plants_down": [
                {"plant": p, "start": s.isoformat(), "end": e.isoformat()}
                for p, s, e in self.plants_down
            ],
            "partners_suspended": list(self.partners_suspended),
        }

    @classmethod
    def from_json(cls, data: dict | None) -> Scenario:
        data = data or {}
        return cls(
            plants_down=tuple(
                (
                    int(d["plant"]),
                    datetime.date.fromisoformat(d["start"]),
                    datetime.date.fromisoformat(d["end"]),
                )
                for d in data.get("plants_down", [])
            ),
            partners_suspended=tuple(int(p) for p in data.get("partners_suspended", [])),
        )

    def __bool__(self) -> bool:
        return bool(self.plants_down or self.partners_suspended)


def _monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def _periods(today: datetime.date, orders: list[NetworkOrder]) -> tuple[datetime.date, ...]:
    """From the coming Monday (work this week is already scheduled) to two weeks past
    the latest due date, at least HORIZON_WEEKS and at most MAX_HORIZON_WEEKS."""
    start = _monday(today) + datetime.timedelta(days=7)
    latest = max((o.due_date for o in orders), default=start)
    weeks = (_monday(latest) - start).days // 7 + 3
    weeks = min(MAX_HORIZON_WEEKS, max(HORIZON_WEEKS, weeks))
    return tuple(start + datetime.timedelta(weeks=w) for w in range(weeks))


def _float(value) -> float:
    return float(value or 0)


def _plant(plant: Plant, *, today: datetime.date, suspended: bool) -> engine.Plant:
    capacity = plant.capacity
    cost = plant.cost
    certifications = [
        c for c in plant.partner.certifications.all() if c.plant_id in (None, plant.pk)
    ]
    return engine.Plant(
        id=str(plant.pk),
        name=f"{plant.partner.name} · {plant.name}",
        country=str(plant.country),
        latitude=_float(plant.latitude),
        longitude=_float(plant.longitude),
        work_centres=tuple(
            engine.WorkCentre(
                type=w["type"],
                count=int(w["count"]),
                hours_per_day=float(w["hours_per_day"]),
                efficiency=float(w.get("efficiency", 1.0)),
            )
            for w in capacity.work_centres
        ),
        capabilities=frozenset(capacity.capabilities),
        certifications=tuple(
            engine.Certification(standard=c.standard, expires_on=c.expires_on)
            for c in certifications
        ),
        hourly_rates={r.work_centre_type: _float(r.hourly_rate) for r in plant.hourly_rates.all()},
        setup_cost=_float(cost.setup_cost),
        material_cost_factor=_float(cost.material_cost_factor),
        freight_per_unit_km=_float(cost.freight_per_unit_km),
        export_registrations=frozenset(
            c.standard
            for c in certifications
            if c.standard == Certification.Standard.ITAR and c.expires_on >= today
        ),
        available=not suspended,
    )


def _operations(order: NetworkOrder) -> tuple[engine.Operation, ...]:
    return tuple(
        engine.Operation(
            work_centre_type=op.work_centre_type,
            setup_hours=_float(op.setup_minutes) / 60,
            run_hours_per_unit=_float(op.run_minutes_per_unit) / 60,
            capability=op.required_capability,
            certification=op.required_certification,
        )
        for op in order.revision.operations.all()
    )


def _order(order: NetworkOrder, *, id: str, quantity: int, current=(), locked=False):
    product = order.revision.product
    approved = frozenset(str(p.pk) for p in product.approved_plants.all())
    min_lot = order.split_min_lot
    return engine.Order(
        id=id,
        quantity=quantity,
        due_date=order.due_date,
        latitude=_float(order.ship_to_latitude),
        longitude=_float(order.ship_to_longitude),
        operations=_operations(order),
        material_cost_per_unit=_float(product.material_cost_per_unit),
        lateness_penalty_per_day=LATENESS_PER_UNIT_DAY.get(order.priority, 1.0),
        priority=order.priority,
        export_controlled=order.export_controlled,
        approved_plants=approved or None,
        split=engine.Split(min_lot=min_lot) if min_lot and quantity >= 2 * min_lot else None,
        current=tuple(current),
        locked=locked,
    )


@dataclass(frozen=True)
class BuiltProblem:
    problem: engine.Problem
    left_out: list[str]  # plants not considered, and why


def problem_build(
    *,
    orders: list[NetworkOrder],
    unlocked: Iterable[str] = (),
    scenario: Scenario | None = None,
    previous: dict[str, list[tuple[str, int]]] | None = None,
    today: datetime.date | None = None,
) -> BuiltProblem:
    """The engine's input: the selected orders' remaining quantities as new work,
    and every accepted or in-progress dispatch as committed work (locked where it
    is unless its work order number is in `unlocked`). `previous` (what-if) gives
    where a plan put each order: moving it away then costs the move penalty, so
    that the comparison shows what the scenario changes, not other ways to plan."""
    today = today or timezone.localdate()
    scenario = scenario or Scenario()
    unlocked = set(unlocked)
    plants = (
        Plant.objects.filter(partner__in=Partner.objects.partners())
        .exclude(partner__status=Partner.Status.ONBOARDING)
        .select_related("partner", "capacity", "cost")
        .prefetch_related("hourly_rates", "partner__certifications")
        .order_by("partner__name", "name")
    )
    engine_plants, left_out = [], []
    for plant in plants:
        missing = [
            label
            for attr, label in (
                ("capacity", _("no capacity declared")),
                ("cost", _("no cost model")),
            )
            if not hasattr(plant, attr)
        ]
        if missing:
            left_out.append(f"{plant.partner.name} · {plant.name}: {', '.join(missing)}")
            continue
        suspended = (
            plant.partner.status == Partner.Status.SUSPENDED
            or plant.partner_id in scenario.partners_suspended
        )
        engine_plants.append(_plant(plant, today=today, suspended=suspended))
    considered = {p.id for p in engine_plants}

    engine_orders = []
    for order in orders:
        remaining = _remaining(order)
        if remaining > 0:
            before = (previous or {}).get(order.number, [])
            engine_orders.append(
                _order(
                    order,
                    id=order.number,
                    quantity=remaining,
                    current=[
                        engine.Current(plant_id=p, quantity=q) for p, q in before if p in considered
                    ],
                )
            )
    committed = (
        Dispatch.objects.filter(status__in=(Dispatch.Status.ACCEPTED, Dispatch.Status.IN_PROGRESS))
        .select_related("order__revision__product")
        .prefetch_related(
            "order__revision__operations", "order__revision__product__approved_plants"
        )
    )
    for dispatch in committed:
        open_quantity = dispatch.quantity - dispatch.shipped_quantity
        if open_quantity <= 0 or str(dispatch.plant_id) not in considered:
            continue
        engine_orders.append(
            _order(
                dispatch.order,
                id=dispatch.work_order_number,
                quantity=open_quantity,
                current=[engine.Current(plant_id=str(dispatch.plant_id), quantity=open_quantity)],
                locked=dispatch.work_order_number not in unlocked,
            )
        )

    downtime = [
        engine.Downtime(
            plant_id=str(plant.pk),
            start=datetime.date.fromisoformat(d["start"]),
            end=datetime.date.fromisoformat(d["end"]),
        )
        for plant in plants
        if str(plant.pk) in considered
        for d in plant.capacity.downtime
    ]
    downtime += [
        engine.Downtime(plant_id=str(p), start=s, end=e)
        for p, s, e in scenario.plants_down
        if str(p) in considered
    ]
    lanes = [
        engine.Lane(
            plant_id=str(lane.plant_id),
            freight_per_unit=_float(lane.freight_per_unit),
            country=str(lane.destination_country),
        )
        for lane in FreightLane.objects.filter(plant_id__in=[int(p) for p in considered])
    ]
    problem = engine.Problem(
        periods=_periods(today, orders),
        plants=tuple(engine_plants),
        orders=tuple(engine_orders),
        downtime=tuple(downtime),
        lanes=tuple(lanes),
        compliance=engine.Compliance(
            export_allowed_countries=frozenset(settings.DMN_EXPORT_ALLOWED_COUNTRIES)
        ),
        move_penalty_per_unit=MOVE_PER_UNIT,
        today=today,
    )
    return BuiltProblem(problem=problem, left_out=left_out)


# --- Runs ---------------------------------------------------------------------------------


def plan_start(
    *,
    actor,
    order_numbers: Iterable[str] | None = None,
    time_limit: int = 30,
    unlocked: Iterable[str] = (),
    scenario: Scenario | None = None,
    base: PlanRun | None = None,
    previous: dict[str, list[tuple[str, int]]] | None = None,
    request=None,
) -> PlanRun:
    """Freeze the inputs in a new run and queue the solve. Without `order_numbers`,
    every order with quantity left to dispatch."""
    if not 1 <= time_limit <= 600:
        raise ValidationError({"time_limit": _("The time limit is 1 to 600 seconds.")})
    candidates = plannable_orders()
    if order_numbers is not None:
        wanted = set(order_numbers)
        unknown = wanted - {o.number for o in candidates}
        if unknown:
            raise ValidationError(
                {
                    "orders": _("These orders have nothing left to dispatch: %(orders)s")
                    % {"orders": ", ".join(sorted(unknown))}
                }
            )
        candidates = [o for o in candidates if o.number in wanted]
    if not candidates and not scenario:
        raise ValidationError({"orders": _("Choose at least one order to plan.")})
    built = problem_build(
        orders=candidates, unlocked=unlocked, scenario=scenario, previous=previous
    )
    if not built.problem.plants:
        raise ValidationError(
            _("No plant can be planned: none has both a capacity declaration and a cost model.")
        )
    with transaction.atomic():
        run = PlanRun.objects.create(
            kind=PlanRun.Kind.WHAT_IF if scenario else PlanRun.Kind.PLAN,
            base=base,
            scenario={
                **(scenario or Scenario()).to_json(),
                "left_out": built.left_out,
                # Orders to dispatch on approval; the rest is committed work.
                "new_work": sorted(o.number for o in candidates),
            },
            time_limit=time_limit,
            problem=problem_to_json(built.problem),
            created_by=actor,
        )
        audit_record(
            action=PLAN_STARTED,
            actor=actor,
            obj=run,
            request=request,
            orders=len(candidates),
            plants=len(built.problem.plants),
            what_if=bool(scenario),
        )
        transaction.on_commit(lambda: _queue(run.pk))
    return run


def _queue(run_id: int) -> None:
    from .tasks import plan_solve

    plan_solve.delay(run_id)


PROGRESS_EVERY = 0.5  # seconds between progress writes
CANCEL_CHECK_EVERY = 0.5  # seconds between looks at the cancel flag


def plan_solve(*, run_id: int, workers: int | None = None) -> PlanRun:
    """Run the engine for a queued run (in the Celery worker): the greedy baseline
    first, then CP-SAT with live progress and a cancel flag read from the row."""
    claimed = PlanRun.objects.filter(pk=run_id, status=PlanRun.Status.QUEUED).update(
        status=PlanRun.Status.RUNNING
    )
    run = PlanRun.objects.get(pk=run_id)
    if not claimed:
        return run  # already taken, finished or cancelled before it started
    try:
        problem = problem_from_json(run.problem)
        baseline = greedy(problem)
        PlanRun.objects.filter(pk=run_id).update(greedy=plan_to_json(baseline))
        last = {"progress": 0.0, "cancel": 0.0, "cancelled": False}

        def on_progress(point) -> None:
            now = time.monotonic()
            if now - last["progress"] < PROGRESS_EVERY:
                return
            last["progress"] = now
            PlanRun.objects.filter(pk=run_id).update(
                progress={
                    "elapsed": round(point.elapsed, 2),
                    "objective": point.objective,
                    "best_bound": point.best_bound,
                    "gap": point.gap,
                }
            )

        def should_stop() -> bool:
            now = time.monotonic()
            if now - last["cancel"] >= CANCEL_CHECK_EVERY:
                last["cancel"] = now
                last["cancelled"] = PlanRun.objects.filter(
                    pk=run_id, cancel_requested=True
                ).exists()
            return last["cancelled"]

        plan = solve(
            problem,
            time_limit=run.time_limit,
            workers=workers or settings.DMN_PLANNING_WORKERS,
            on_progress=on_progress,
            should_stop=should_stop,
            hint=baseline,
        )
        status = {
            "optimal": PlanRun.Status.DONE,
            "feasible": PlanRun.Status.DONE,
            "cancelled": PlanRun.Status.CANCELLED,
        }.get(plan.status, PlanRun.Status.NO_SOLUTION)
        PlanRun.objects.filter(pk=run_id).update(
            plan=plan_to_json(plan),
            status=status,
            finished_at=timezone.now(),
            progress={
                "elapsed": round(plan.build_seconds + plan.solve_seconds, 2),
                "objective": plan.objective,
                "best_bound": plan.best_bound,
                "gap": plan.gap,
            },
        )
    except Exception as exc:  # the run must say it failed, not stay "running"
        PlanRun.objects.filter(pk=run_id).update(
            status=PlanRun.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    run.refresh_from_db()
    return run


def what_if_start(*, base: PlanRun, actor, scenario: Scenario, request=None) -> PlanRun:
    """Re-plan the base plan's orders with plants down or partners suspended. Committed
    work at the affected plants is unlocked (it has to go somewhere; the move penalty
    prices moving it), the rest stays locked; the result is compared with the base
    plan before anything is dispatched."""
    if not scenario:
        raise ValidationError(_("Mark a plant down or a partner suspended first."))
    base_problem = run_problem(base)
    still_open = {o.number for o in plannable_orders()}
    numbers = sorted(run_new_work(base) & still_open)
    affected = {str(plant) for plant, _start, _end in scenario.plants_down} | {
        str(pk)
        for pk in Plant.objects.filter(partner_id__in=scenario.partners_suspended).values_list(
            "pk", flat=True
        )
    }
    # Only committed work at the affected plants may move; the rest stays where it is.
    committed = [
        o.id
        for o in base_problem.orders
        if o.current and any(c.plant_id in affected for c in o.current)
    ]
    return plan_start(
        actor=actor,
        order_numbers=numbers,
        time_limit=base.time_limit,
        unlocked=committed,
        scenario=scenario,
        base=base,
        previous=_placed(run_plan(base)),
        request=request,
    )


STALL_GRACE = datetime.timedelta(minutes=2)


def _stalled(run: PlanRun) -> bool:
    """A running plan well past its time limit: its worker is gone."""
    limit = run.created_at + datetime.timedelta(seconds=run.time_limit) + STALL_GRACE
    return run.status == PlanRun.Status.RUNNING and timezone.now() > limit


def plan_cancel(*, run: PlanRun, actor, request=None) -> PlanRun:
    """Ask the solve to stop; a queued run stops at once. The best plan found so far
    is kept (status cancelled) and can still be reviewed."""
    with transaction.atomic():
        run = PlanRun.objects.select_for_update().get(pk=run.pk)
        if run.status not in (PlanRun.Status.QUEUED, PlanRun.Status.RUNNING):
            raise ValidationError(
                _("This plan is %(status)s; there is nothing to cancel.")
                % {"status": run.get_status_display().lower()}
            )
        run.cancel_requested = True
        fields = ["cancel_requested"]
        if run.status == PlanRun.Status.QUEUED or _stalled(run):
            # Nobody is solving it (not started, or its worker died): stop it here.
            run.status = PlanRun.Status.CANCELLED
            run.finished_at = timezone.now()
            fields += ["status", "finished_at"]
        run.save(update_fields=fields)
        audit_record(action=PLAN_CANCELLED, actor=actor, obj=run, request=request)
    return run


# --- Review -------------------------------------------------------------------------------


def run_plan(run: PlanRun):
    return plan_from_json(run.plan) if run.plan else None


def run_problem(run: PlanRun):
    return problem_from_json(run.problem)


def run_new_work(run: PlanRun) -> set[str]:
    """Ids of the run's new work (orders by number), which approval dispatches.
    The rest is committed work (work orders already accepted, by their number):
    the plan shows where it stays or would move, but moving it is the partner's
    and the planner's conversation, not an automatic dispatch."""
    return set((run.scenario or {}).get("new_work", []))


def _placed(plan) -> dict[str, list[tuple[str, int]]]:
    placed: dict[str, list[tuple[str, int]]] = {}
    for p in plan.placements if plan else ():
        placed.setdefault(p.order_id, []).append((p.plant_id, p.quantity))
    return placed


@dataclass(frozen=True)
class Move:
    order_id: str
    before: str | None  # plant id, or None: not placed
    after: str | None
    cost_delta: float
    days_late_delta: int


def plan_diff(base, other) -> list[Move]:
    """Orders whose plant changed between two plans, with the cost and lateness delta."""

    def by_order(plan):
        placed: dict[str, list] = {}
        for p in plan.placements:
            placed.setdefault(p.order_id, []).append(p)
        return placed

    before, after = by_order(base), by_order(other)
    moves = []
    for order_id in sorted(set(before) | set(after)):
        b, a = before.get(order_id, []), after.get(order_id, [])
        if {p.plant_id for p in b} == {p.plant_id for p in a}:
            continue
        moves.append(
            Move(
                order_id=order_id,
                before=", ".join(sorted({p.plant_id for p in b})) or None,
                after=", ".join(sorted({p.plant_id for p in a})) or None,
                cost_delta=sum(p.cost.total for p in a) - sum(p.cost.total for p in b),
                days_late_delta=max((p.days_late for p in a), default=0)
                - max((p.days_late for p in b), default=0),
            )
        )
    return moves


# --- Approve ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApproveResult:
    dispatched: list[Dispatch]
    refused: list[tuple[str, str]]  # (order number, why)


def plan_approve(
    *, run: PlanRun, actor, order_ids: Iterable[str] | None = None, request=None
) -> ApproveResult:
    """Dispatch the selected placements of new work (default: all) through the orders
    services, each in its own transaction: one refused dispatch (the order changed,
    a certificate expired since) does not undo the others, and says why."""
    from orders.services import order_dispatch

    if run.status not in (PlanRun.Status.DONE, PlanRun.Status.CANCELLED) or not run.plan:
        raise ValidationError(_("Only a finished plan can be approved."))
    if run.kind == PlanRun.Kind.WHAT_IF:
        raise ValidationError(_("A what-if plan is for comparison; approve a plan instead."))
    plan = run_plan(run)
    new = run_new_work(run)
    wanted = set(order_ids) if order_ids is not None else None
    placements = [
        p for p in plan.placements if p.order_id in new and (wanted is None or p.order_id in wanted)
    ]
    if not placements:
        raise ValidationError(_("Choose at least one order to dispatch."))
    plants = Plant.objects.in_bulk([int(p.plant_id) for p in placements])
    orders = NetworkOrder.objects.in_bulk([p.order_id for p in placements], field_name="number")
    dispatched, refused = [], []
    for placement in placements:
        order = orders.get(placement.order_id)
        plant = plants.get(int(placement.plant_id))
        if order is None or plant is None:
            refused.append((placement.order_id, _("The order or the plant no longer exists.")))
            continue
        try:
            dispatched.append(
                order_dispatch(
                    order=order,
                    plant=plant,
                    quantity=placement.quantity,
                    actor=actor,
                    request=request,
                )
            )
        except ValidationError as exc:
            refused.append((placement.order_id, " ".join(exc.messages)))
    with transaction.atomic():
        PlanRun.objects.filter(pk=run.pk).update(approved_by=actor, approved_at=timezone.now())
        audit_record(
            action=PLAN_APPROVED,
            actor=actor,
            obj=run,
            request=request,
            dispatched=[d.work_order_number for d in dispatched],
            refused=[number for number, _why in refused],
        )
    return ApproveResult(dispatched=dispatched, refused=refused)
