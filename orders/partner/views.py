"""A partner's work orders in the browser: the inbox, answers, progress, shipment."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.forms import form_run_service
from portal.tables import RequestConfig
from tenants.models import DataSharingAgreement

from . import selectors, services
from .filters import WorkOrderFilter
from .forms import AcceptForm, InternalForm, ProgressForm, RejectForm, ShipmentForm
from .models import WorkOrder
from .tables import WorkOrderTable

ANSWER_ROLES = ("partner_admin", "quality", "operator")
SHOP_FLOOR_ROLES = ("partner_admin", "quality", "operator")
SHIPPING_ROLES = ("partner_admin", "operator")
OPEN = (WorkOrder.Status.ACCEPTED, WorkOrder.Status.IN_PROGRESS)


def inbox(request):
    filterset = WorkOrderFilter(request.GET or None, queryset=selectors.work_order_list())
    table = WorkOrderTable(filterset.qs)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(request, "orders/partner/inbox.html", {"filter": filterset, "table": table})


def _detail(request, work_order, *, status=200, **forms):
    role = request.membership.role
    can_answer = role in ANSWER_ROLES and work_order.status == WorkOrder.Status.DISPATCHED
    can_ship = role in SHIPPING_ROLES and work_order.status in OPEN
    shown = {"accept_form": can_answer, "reject_form": can_answer, "ship_form": can_ship}
    # A refusal of a form whose card is not on the page (the status moved on)
    # shows above the facts; the others show in their own form.
    refusals = [
        error
        for name, form in forms.items()
        if not shown.get(name, True)
        for error in form.non_field_errors()
    ]
    context = {
        "refusals": refusals,
        "work_order": work_order,
        "operations": selectors.operations_with_capacity(work_order=work_order),
        "acknowledged_in": _acknowledgement(work_order),
        "percent": selectors.percent_complete(work_order),
        "reports": selectors.progress_history(work_order=work_order),
        "shipments": work_order.shipments.select_related("certificate"),
        "can_answer": can_answer,
        "can_report": role in SHOP_FLOOR_ROLES and work_order.status in OPEN,
        "can_ship": can_ship,
        "is_admin": role == "partner_admin",
        "accept_form": forms.get("accept_form") or AcceptForm(due_date=work_order.due_date),
        "reject_form": forms.get("reject_form") or RejectForm(),
        "ship_form": forms.get("ship_form") or ShipmentForm(),
        "internal_form": forms.get("internal_form") or InternalForm(instance=work_order),
    }
    return render(request, "orders/partner/detail.html", context, status=status)


def _acknowledgement(work_order) -> str:
    """Dispatch to answer (the acknowledgement SLA), e.g. "2 h 05 min"."""
    seconds = work_order.acknowledgement_seconds
    if seconds is None:
        return ""
    minutes = max(0, round(seconds / 60))
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return _("%(d)s d %(h)s h") % {"d": days, "h": hours}
    if hours:
        return _("%(h)s h %(m)02d min") % {"h": hours, "m": minutes}
    return _("%(m)s min") % {"m": minutes}


def detail(request, number):
    return _detail(request, selectors.work_order_get(number=number))


@require_POST
def accept(request, number):
    work_order = selectors.work_order_get(number=number)
    form = AcceptForm(request.POST, due_date=work_order.due_date)
    if form_run_service(
        form,
        lambda d: services.work_order_accept(
            partner=request.tenant,
            work_order=work_order,
            user=request.user,
            promised_date=d["promised_date"],
        ),
    ):
        work_order.refresh_from_db()
        messages.success(
            request,
            _("Work order %(wo)s: %(status)s.")
            % {"wo": work_order, "status": work_order.get_status_display().lower()},
        )
        return redirect("work_orders:detail", number=number)
    return _detail(request, work_order, status=400, accept_form=form)


@require_POST
def reject(request, number):
    work_order = selectors.work_order_get(number=number)
    form = RejectForm(request.POST)
    if form_run_service(
        form,
        lambda d: services.work_order_reject(
            partner=request.tenant,
            work_order=work_order,
            user=request.user,
            reason=d["reason"],
            text=d["text"],
        ),
    ):
        messages.success(request, _("Work order %(wo)s rejected.") % {"wo": work_order})
        return redirect("work_orders:detail", number=number)
    return _detail(request, work_order, status=400, reject_form=form)


@require_http_methods(["GET", "POST"])
def report_progress(request, number, operation_pk):
    work_order = selectors.work_order_get(number=number)
    operation = selectors.operation_get(work_order=work_order, pk=operation_pk)
    notes_released = DataSharingAgreement.Release.NOTES in DataSharingAgreement.releases_for(
        request.tenant
    )
    form = ProgressForm(request.POST or None, notes_released=notes_released)
    if request.method == "POST" and form_run_service(
        form,
        lambda d: services.progress_report(
            partner=request.tenant, operation=operation, user=request.user, **d
        ),
    ):
        messages.success(request, _("Progress on %(op)s recorded.") % {"op": operation})
        return redirect("work_orders:detail", number=number)
    capacity = next(
        op
        for op in selectors.operations_with_capacity(work_order=work_order)
        if op.pk == operation.pk
    )
    return render(
        request,
        "orders/partner/progress.html",
        {
            "work_order": work_order,
            "operation": capacity,
            "form": form,
            "is_open": work_order.status in OPEN,
        },
        status=400 if form.errors else 200,
    )


@require_POST
def ship(request, number):
    work_order = selectors.work_order_get(number=number)
    form = ShipmentForm(request.POST)
    if form_run_service(
        form,
        lambda d: services.shipment_create(
            partner=request.tenant, work_order=work_order, user=request.user, **d
        ),
    ):
        messages.success(request, _("Shipment recorded."))
        return redirect("work_orders:detail", number=number)
    return _detail(request, work_order, status=400, ship_form=form)


@require_POST
def internal(request, number):
    work_order = selectors.work_order_get(number=number)
    form = InternalForm(request.POST, instance=work_order)
    if form.is_valid():
        form.save()
        messages.success(request, _("Internal notes saved. They stay private to your company."))
        return redirect("work_orders:detail", number=number)
    return _detail(request, work_order, status=400, internal_form=form)
