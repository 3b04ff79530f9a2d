"""The hub's plant pages for plan runs: every plant with its declared capacity (the
partner's data, read-only here) and the hub's own cost model, hourly rates and
freight lanes, which planners and network admins edit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from orders.declarations import weekly_hours
from portal.forms import form_run_service
from portal.tables import RequestConfig
from tenants.models import PLANNER_ROLES, DataSharingAgreement

from ..models.plants import FreightLane, WorkCentreRate
from ..products.selectors import routing_work_centre_types
from . import selectors, services
from .filters import PlantInputFilter
from .forms import FreightLaneForm, PlantCostForm, WorkCentreRateForm
from .tables import PlantInputTable

PLANNERS = PLANNER_ROLES
PAGE_SIZE = 50


def plant_list(request):
    filterset = PlantInputFilter(request.GET or None, queryset=selectors.plant_input_list())
    table = PlantInputTable(filterset.qs)
    RequestConfig(request, paginate={"per_page": PAGE_SIZE}).configure(table)
    return render(request, "orders/hub/plants/list.html", {"filter": filterset, "table": table})


def _detail(request, plant, *, status=200, **forms):
    can_plan = request.membership.role in PLANNERS
    capacity = getattr(plant, "capacity", None)
    context = {
        "plant": plant,
        "capacity": capacity,
        "hours": weekly_hours(capacity.work_centres) if capacity else [],
        "downtime": selectors.downtime_dates(capacity.downtime) if capacity else [],
        "released": DataSharingAgreement.Release.CAPACITY
        in DataSharingAgreement.releases_for(plant.partner),
        "cost": getattr(plant, "cost", None),
        "rates": plant.hourly_rates.order_by("work_centre_type"),
        "lanes": plant.freight_lanes.order_by("destination_country"),
        "can_plan": can_plan,
    }
    if can_plan:
        context |= {
            "cost_form": forms.get("cost_form") or PlantCostForm(instance=context["cost"]),
            "rate_form": forms.get("rate_form") or WorkCentreRateForm(plant=plant, prefix="rate"),
            "lane_form": forms.get("lane_form") or FreightLaneForm(plant=plant, prefix="lane"),
            "rate_types": routing_work_centre_types(),
        }
    return render(request, "orders/hub/plants/detail.html", context, status=status)


def plant_detail(request, plant_pk):
    return _detail(request, selectors.plant_input_get(plant_pk=plant_pk))


def _back(plant):
    return redirect("plant_inputs:detail", plant_pk=plant.pk)


@require_POST
def plant_cost(request, plant_pk):
    plant = selectors.plant_input_get(plant_pk=plant_pk)
    form = PlantCostForm(request.POST)  # the service writes; the instance stays as it is

    def call(data):
        services.plant_cost_set(plant=plant, actor=request.user, request=request, **data)

    if form_run_service(form, call):
        messages.success(request, _("The cost model of %(plant)s is saved.") % {"plant": plant})
        return _back(plant)
    return _detail(request, plant, status=400, cost_form=form)


@dataclass(frozen=True)
class Row:
    """An hourly rate or a freight lane, as the pages handle it."""

    model: type
    form: type
    prefix: str
    save: Any
    noun: str
    edit_title: str


ROWS = {
    "rate": Row(
        WorkCentreRate,
        WorkCentreRateForm,
        "rate",
        lambda row, **d: services.work_centre_rate_save(rate=row, **d),
        gettext_lazy("hourly rate"),
        gettext_lazy("Change an hourly rate"),
    ),
    "lane": Row(
        FreightLane,
        FreightLaneForm,
        "lane",
        lambda row, **d: services.freight_lane_save(lane=row, **d),
        gettext_lazy("freight lane"),
        gettext_lazy("Change a freight lane"),
    ),
}


def _row_get(kind: str, plant, ids: dict):
    return get_object_or_404(ROWS[kind].model, pk=ids[f"{kind}_pk"], plant=plant)


def _row_saved(request, spec: Row, plant, row, form) -> bool:
    def call(data):
        spec.save(row, plant=plant, actor=request.user, request=request, **data)

    if not form_run_service(form, call):
        return False
    messages.success(
        request,
        _("%(noun)s saved for %(plant)s.") % {"noun": str(spec.noun).capitalize(), "plant": plant},
    )
    return True


@require_POST
def row_add(request, plant_pk, kind: str):
    """Add an hourly rate or a freight lane (the form is on the plant page)."""
    spec = ROWS[kind]
    plant = selectors.plant_input_get(plant_pk=plant_pk)
    form = spec.form(request.POST, plant=plant, prefix=spec.prefix)
    if _row_saved(request, spec, plant, None, form):
        return _back(plant)
    return _detail(request, plant, status=400, **{f"{kind}_form": form})


@require_http_methods(["GET", "POST"])
def row_edit(request, plant_pk, kind: str, **ids):
    spec = ROWS[kind]
    plant = selectors.plant_input_get(plant_pk=plant_pk)
    row = _row_get(kind, plant, ids)
    form = spec.form(request.POST or None, plant=plant, instance=row)
    if request.method == "POST" and _row_saved(request, spec, plant, row, form):
        return _back(plant)
    return render(
        request,
        "orders/hub/plants/row_form.html",
        {
            "plant": plant,
            "form": form,
            "title": spec.edit_title,
            "rate_types": routing_work_centre_types() if kind == "rate" else [],
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def row_remove(request, plant_pk, kind: str, **ids):
    """GET asks for confirmation; POST removes."""
    spec = ROWS[kind]
    plant = selectors.plant_input_get(plant_pk=plant_pk)
    row = _row_get(kind, plant, ids)
    if request.method == "POST":
        services.plant_cost_row_remove(row=row, actor=request.user, request=request)
        messages.success(
            request,
            _("%(noun)s %(row)s removed from %(plant)s.")
            % {"noun": str(spec.noun).capitalize(), "row": _row_label(row), "plant": plant},
        )
        return _back(plant)
    return render(
        request,
        "orders/hub/plants/row_remove.html",
        {"plant": plant, "row": _row_label(row), "noun": spec.noun},
    )


def _row_label(row) -> str:
    if isinstance(row, WorkCentreRate):
        return f"{row.work_centre_type} ({row.hourly_rate})"
    return f"{row.destination_country.name} ({row.freight_per_unit})"
