"""Reads of plan runs: the orders a plan can take, and a run's frozen inputs,
result and new work, and how two plans differ."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import formats
from django.utils.translation import gettext as _

from orders.planning.jsonio import plan_from_json, problem_from_json
from tenants.models import Partner, Plant

from ..models.orders import Dispatch, NetworkOrder
from ..models.plans import PlanRun
from .scenario import Scenario

LIVE = ~Q(status=Dispatch.Status.REJECTED)


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
        order.remaining = order_remaining(order)
        if order.remaining > 0:
            plannable.append(order)
    return plannable


def order_remaining(order: NetworkOrder) -> int:
    """Units of the order left to dispatch. `order.dispatches` must hold its live
    dispatches only, as plannable_orders prefetches them."""
    return order.quantity - sum(d.quantity for d in order.dispatches.all())


def plan_run_list() -> QuerySet[PlanRun]:
    return PlanRun.objects.select_related("created_by", "base")


def plan_run_get(*, run_pk: int) -> PlanRun:
    return get_object_or_404(plan_run_list(), pk=run_pk)


def run_plan(run: PlanRun):
    return plan_from_json(run.plan) if run.plan else None


def run_greedy(run: PlanRun):
    return plan_from_json(run.greedy) if run.greedy else None


def run_problem(run: PlanRun):
    return problem_from_json(run.problem)


def run_new_work(run: PlanRun) -> set[str]:
    """Ids of the run's new work (orders by number), which approval dispatches.
    The rest is committed work (work orders already accepted, by their number):
    the plan shows where it stays or would move, but moving it is the partner's
    and the planner's conversation, not an automatic dispatch."""
    return set((run.scenario or {}).get("new_work", []))


def placements_by_order(plan) -> dict[str, list[tuple[str, int]]]:
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


def run_scenario_lines(run: PlanRun) -> list[str]:
    """The what-if scenario in words, with plant and partner names."""
    scenario = Scenario.from_json(run.scenario)
    plants = Plant.objects.select_related("partner").in_bulk(
        [p for p, _s, _e in scenario.plants_down]
    )
    partners = Partner.objects.in_bulk(list(scenario.partners_suspended))
    lines = [
        _("%(plant)s down from %(start)s to %(end)s")
        % {
            "plant": f"{plants[p].partner.name} · {plants[p].name}" if p in plants else p,
            "start": formats.date_format(start, "SHORT_DATE_FORMAT"),
            "end": formats.date_format(end, "SHORT_DATE_FORMAT"),
        }
        for p, start, end in scenario.plants_down
    ]
    lines += [
        _("%(partner)s suspended") % {"partner": partners[p].name if p in partners else p}
        for p in scenario.partners_suspended
    ]
    return lines


def run_plants(run: PlanRun) -> QuerySet[Plant]:
    """The plants the run considered, with their partners."""
    ids = [int(p["id"]) for p in run.problem.get("plants", [])]
    return Plant.objects.filter(pk__in=ids).select_related("partner")
