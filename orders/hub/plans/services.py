"""Writes of plan runs: start one (its inputs frozen in a `PlanRun`) and queue the
solve, solve it in the Celery worker, start a what-if, cancel, and approve, which
dispatches through the orders services. Every run keeps its inputs and result, so
that an auditor can see months later why an order went where it did.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.planning.greedy import greedy
from orders.planning.jsonio import plan_to_json, problem_from_json, problem_to_json
from orders.planning.solver import solve
from orders.vocabulary import PLAN_APPROVED, PLAN_CANCELLED, PLAN_STARTED
from portal.audit import audit_record
from tenants.models import Plant

from ..models.orders import Dispatch, NetworkOrder
from ..models.plans import PlanRun
from .problem import problem_build
from .scenario import Scenario
from .selectors import (
    placements_by_order,
    plannable_orders,
    run_new_work,
    run_plan,
    run_problem,
)


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
        previous=placements_by_order(run_plan(base)),
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
