"""Plan-run pages: start a plan, watch it solve, review it per plant, compare a
what-if, approve. Every hub member reads plans (auditors included); planners
and network admins run, cancel and approve them."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.forms import form_add_service_error
from portal.tables import RequestConfig
from tenants.models import PLANNER_ROLES

from ..models.plans import PlanRun
from . import selectors, services
from .charts import load_chart
from .forms import PlanStartForm, WhatIfForm
from .tables import PlanRunTable

PLANNERS = PLANNER_ROLES


def run_list(request):
    table = PlanRunTable(selectors.plan_run_list())
    RequestConfig(request, paginate={"per_page": 25}).configure(table)
    return render(
        request,
        "orders/hub/plans/list.html",
        {"table": table, "can_plan": request.membership.role in PLANNERS},
    )


@require_http_methods(["GET", "POST"])
def run_new(request):
    orders = selectors.plannable_orders()
    form = PlanStartForm(request.POST or None, orders=orders)
    if request.method == "POST" and form.is_valid():
        try:
            run = services.plan_start(
                actor=request.user,
                order_numbers=form.cleaned_data["orders"],
                time_limit=form.cleaned_data["time_limit"],
                unlocked=form.cleaned_data["unlock"],
                request=request,
            )
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, _("Plan %(id)s is queued.") % {"id": run.pk})
            return redirect("planning:detail", run_pk=run.pk)
    return render(
        request,
        "orders/hub/plans/new.html",
        {"form": form, "orders": orders},
        status=400 if form.errors else 200,
    )


def _progress(run: PlanRun) -> dict:
    p = run.progress or {}
    gap = p.get("gap")
    return {
        "status": run.status,
        "status_label": run.get_status_display(),
        "finished": run.status not in (PlanRun.Status.QUEUED, PlanRun.Status.RUNNING),
        "elapsed": p.get("elapsed"),
        "time_limit": run.time_limit,
        "objective": p.get("objective"),
        "best_bound": p.get("best_bound"),
        "gap_percent": round(gap * 100, 2) if gap is not None else None,
    }


def run_progress(request, run_pk):
    """Polled by the plan page while the solve runs."""
    return JsonResponse(_progress(get_object_or_404(PlanRun, pk=run_pk)))


def run_detail(request, run_pk, *, what_if_form=None, status=200):
    run = selectors.plan_run_get(run_pk=run_pk)
    plan = selectors.run_plan(run)
    context = {
        "run": run,
        "progress": _progress(run),
        "can_plan": request.membership.role in PLANNERS,
        "left_out": (run.scenario or {}).get("left_out", []),
        "scenario_lines": selectors.run_scenario_lines(run),
    }
    if plan is not None:
        context.update(_review(run, plan))
        if run.kind == PlanRun.Kind.PLAN and run.status == PlanRun.Status.DONE:
            context["what_if_form"] = what_if_form or WhatIfForm(plants=selectors.run_plants(run))
    return render(request, "orders/hub/plans/detail.html", context, status=status)


def _review(run: PlanRun, plan) -> dict:
    problem = selectors.run_problem(run)
    plants = {p.id: p for p in problem.plants}
    new = selectors.run_new_work(run)

    def name(plant_ids: str | None) -> str:
        if not plant_ids:
            return ""
        return ", ".join(plants[i].name if i in plants else i for i in plant_ids.split(", "))

    explanations = {e.order_id: e for e in plan.explanations}
    per_plant: dict[str, list] = defaultdict(list)
    for placement in plan.placements:
        per_plant[placement.plant_id].append(placement)
    loads: dict[str, list] = defaultdict(list)
    for load in plan.loads:
        loads[load.plant_id].append(load)
    sections = []
    for plant_id, placements in sorted(per_plant.items(), key=lambda kv: plants[kv[0]].name):
        placements.sort(key=lambda p: (p.period_start, p.order_id))
        sections.append(
            {
                "plant": plants[plant_id],
                "placements": [
                    {
                        "placement": p,
                        "new": p.order_id in new,
                        "explanation": explanations.get(p.order_id),
                        "runner_up": name(
                            getattr(explanations.get(p.order_id), "runner_up_plant_id", None)
                        ),
                        "excluded": [
                            (name(x.plant_id), x.message)
                            for x in getattr(explanations.get(p.order_id), "excluded", ())
                        ],
                    }
                    for p in placements
                ],
                "has_new": any(p.order_id in new for p in placements),
                "cost": sum(p.cost.total for p in placements),
                "days_late": sum(1 for p in placements if p.days_late > 0),
                "chart": load_chart(loads.get(plant_id, []), problem.periods),
            }
        )
    greedy = selectors.run_greedy(run)
    context = {
        "plan": plan,
        "sections": sections,
        "gap_percent": plan.gap * 100 if plan.gap is not None else None,
        "new_count": sum(1 for p in plan.placements if p.order_id in new),
        "greedy": greedy,
        "greedy_worse": (
            (greedy.objective - plan.objective) / plan.objective * 100
            if greedy and greedy.objective is not None and plan.objective
            else None
        ),
        "late_count": sum(1 for p in plan.placements if p.days_late > 0),
    }
    if run.base_id and run.base.plan:
        moves = selectors.plan_diff(selectors.run_plan(run.base), plan)
        context["moves"] = [(m, name(m.before), name(m.after)) for m in moves]
        context["moves_cost"] = sum(m.cost_delta for m in moves)
        context["moves_late"] = sum(m.days_late_delta for m in moves)
    return context


@require_POST
def run_cancel(request, run_pk):
    run = get_object_or_404(PlanRun, pk=run_pk)
    try:
        services.plan_cancel(run=run, actor=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.info(
            request, _("Cancelling plan %(id)s: the best plan so far is kept.") % {"id": run.pk}
        )
    return redirect("planning:detail", run_pk=run.pk)


@require_POST
def run_approve(request, run_pk):
    run = get_object_or_404(PlanRun, pk=run_pk)
    chosen = request.POST.getlist("order")
    if not chosen:
        messages.error(request, _("Choose at least one order to dispatch."))
        return redirect("planning:detail", run_pk=run.pk)
    try:
        result = services.plan_approve(
            run=run, actor=request.user, order_ids=chosen, request=request
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("planning:detail", run_pk=run.pk)
    if result.dispatched:
        messages.success(
            request,
            _("%(n)s work orders dispatched: %(numbers)s.")
            % {
                "n": len(result.dispatched),
                "numbers": ", ".join(d.work_order_number for d in result.dispatched),
            },
        )
    for number, why in result.refused:
        messages.error(
            request, _("%(order)s not dispatched: %(why)s") % {"order": number, "why": why}
        )
    return redirect("planning:detail", run_pk=run.pk)


@require_POST
def run_what_if(request, run_pk):
    run = get_object_or_404(PlanRun, pk=run_pk)
    form = WhatIfForm(request.POST, plants=selectors.run_plants(run))
    if form.is_valid():
        try:
            what_if = services.what_if_start(
                base=run, actor=request.user, scenario=form.scenario(), request=request
            )
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, _("What-if %(id)s is queued.") % {"id": what_if.pk})
            return redirect("planning:detail", run_pk=what_if.pk)
    return run_detail(request, run_pk, what_if_form=form, status=400)


def run_inputs(request, run_pk):
    """The run's frozen inputs and result as JSON, for an auditor or the CLI."""
    run = get_object_or_404(PlanRun, pk=run_pk)
    response = JsonResponse(
        {"problem": run.problem, "plan": run.plan, "greedy": run.greedy, "scenario": run.scenario},
        json_dumps_params={"indent": 1},
    )
    response["Content-Disposition"] = f'attachment; filename="plan-{run.pk}.json"'
    return response
