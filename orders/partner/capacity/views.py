"""The capacity page on a partner host: every member reads the plants' work centres,
capabilities and planned downtime, and what the hub holds of them; the partner
admin adds, changes and removes them (each change republishes the plant)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from orders.hub.products.selectors import routing_capabilities, routing_work_centre_types
from portal.forms import form_add_service_error

from ..models import Downtime, PlantCapability, WorkCentre
from . import selectors, services
from .forms import CapabilityForm, DowntimeForm, WorkCentreForm

EDIT_ROLES = ("partner_admin",)


def overview(request):
    partner = request.tenant
    plants = list(selectors.plants_of(partner))
    ids = [p.pk for p in plants]
    rows = selectors.declared_rows(ids)
    copies = selectors.hub_copies(partner, ids)
    for plant in plants:
        plant.declared = rows[plant.pk]
        plant.hub_copy = copies.get(plant.pk)
    return render(
        request,
        "orders/partner/capacity/overview.html",
        {
            "plants": plants,
            "released": selectors.capacity_released(partner),
            "can_edit": request.membership.role in EDIT_ROLES,
        },
    )


@dataclass(frozen=True)
class Kind:
    """One kind of row of the declaration, as the pages handle it."""

    model: type
    form: type
    save: Any  # (partner, user, row, **cleaned_data) -> row
    remove: Any  # (partner, row, user) -> None
    add_title: str
    edit_title: str
    noun: str


def _save_work_centre(*, partner, user, row, **data):
    return services.work_centre_save(partner=partner, user=user, work_centre=row, **data)


def _save_capability(*, partner, user, row, **data):
    return services.capability_add(partner=partner, user=user, **data)


def _save_downtime(*, partner, user, row, **data):
    return services.downtime_save(partner=partner, user=user, downtime=row, **data)


KINDS = {
    "work_centre": Kind(
        WorkCentre,
        WorkCentreForm,
        _save_work_centre,
        lambda partner, row, user: services.work_centre_remove(
            partner=partner, work_centre=row, user=user
        ),
        gettext_lazy("Add a work centre"),
        gettext_lazy("Change a work centre"),
        gettext_lazy("work centre"),
    ),
    "capability": Kind(
        PlantCapability,
        CapabilityForm,
        _save_capability,
        lambda partner, row, user: services.capability_remove(
            partner=partner, capability=row, user=user
        ),
        gettext_lazy("Add a capability"),
        "",
        gettext_lazy("capability"),
    ),
    "downtime": Kind(
        Downtime,
        DowntimeForm,
        _save_downtime,
        lambda partner, row, user: services.downtime_remove(
            partner=partner, downtime=row, user=user
        ),
        gettext_lazy("Plan downtime"),
        gettext_lazy("Change planned downtime"),
        gettext_lazy("planned downtime"),
    ),
}


def _back(plant_id: int):
    return redirect(reverse("capacity:overview") + f"#plant-{plant_id}")


def _plant_named(request, plant_id):
    return selectors.plants_of(request.tenant).filter(pk=plant_id).first()


def _suggestions() -> dict[str, list[str]]:
    """Names the routings of released revisions use, by datalist id."""
    return {
        "work-centre-types": routing_work_centre_types(),
        "capabilities": routing_capabilities(),
    }


@require_http_methods(["GET", "POST"])
def row_form(request, kind: str, **ids: int):
    """Add a row (GET `?plant=` preselects the plant) or change the row named by
    the URL's `<kind>_pk`."""
    spec = KINDS[kind]
    pk = ids.get(f"{kind}_pk")
    row = get_object_or_404(spec.model, pk=pk) if pk is not None else None
    plants = selectors.plants_of(request.tenant)
    initial = {"plant_id": request.GET.get("plant")}
    if row is not None:
        initial = {name: getattr(row, name) for name in spec.form.base_fields}
    form = spec.form(request.POST or None, plants=plants, row=row, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            data = {**form.cleaned_data, "plant_id": form.plant_id()}
            saved = spec.save(partner=request.tenant, user=request.user, row=row, **data)
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            what = {"noun": str(spec.noun).capitalize(), "row": saved}
            if selectors.capacity_released(request.tenant):
                messages.success(request, _("%(noun)s %(row)s saved; the hub has it now.") % what)
            else:
                messages.success(request, _("%(noun)s %(row)s saved.") % what)
            return _back(saved.plant_id)
    return render(
        request,
        "orders/partner/capacity/form.html",
        {
            "form": form,
            "title": spec.edit_title if row else spec.add_title,
            "plant": _plant_named(request, row.plant_id) if row else None,
            "suggestions": _suggestions().get(form.suggestions_id, []),
            "datalist": form.suggestions_id,
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def row_remove(request, kind: str, **ids: int):
    """GET asks for confirmation; POST removes."""
    spec = KINDS[kind]
    row = get_object_or_404(spec.model, pk=ids[f"{kind}_pk"])
    if request.method == "POST":
        spec.remove(request.tenant, row, request.user)
        what = {"noun": str(spec.noun).capitalize(), "row": row}
        messages.success(request, _("%(noun)s %(row)s removed.") % what)
        return _back(row.plant_id)
    return render(
        request,
        "orders/partner/capacity/remove.html",
        {"row": row, "noun": spec.noun, "plant": _plant_named(request, row.plant_id)},
    )
