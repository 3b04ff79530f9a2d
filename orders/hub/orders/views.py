"""The hub's order board, order detail (with the ledger timeline), dispatch and
counter-proposal decisions. Reads public tables only: orders, dispatches, ledger."""

import csv

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from orders import services
from portal.forms import form_add_service_error
from portal.tables import RequestConfig
from tenants.models import PLANNER_ROLES

from ..models.orders import Dispatch
from . import selectors
from . import services as hub_services
from .filters import OrderBoardFilter
from .forms import ClearanceGrantForm, DispatchForm, OrderForm
from .tables import OrderBoardTable

PLANNERS = PLANNER_ROLES
CLEARANCE_AUTHORITY = ("network_admin",)

CSV_HEADER = [
    "order",
    "customer_reference",
    "product",
    "revision",
    "quantity",
    "due_date",
    "status",
    "late",
    "partners",
    "percent_complete",
    "shipped",
    "good",
]


def board(request):
    filterset = OrderBoardFilter(
        request.GET or None, queryset=selectors.order_board(user=request.user)
    )
    if filterset.is_bound and not filterset.is_valid():
        # An unparseable date or an unknown choice: say so instead of ignoring it.
        return render(
            request,
            "orders/hub/orders/board.html",
            {"filter": filterset, "table": None, "filter_errors": _filter_errors(filterset)},
            status=400,
        )
    if request.GET.get("export") == "csv":
        return _csv(filterset.qs)
    table = OrderBoardTable(filterset.qs)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(request, "orders/hub/orders/board.html", {"filter": filterset, "table": table})


def _filter_errors(filterset) -> list[str]:
    form = filterset.form
    return [
        f"{form.fields[name].label}: {error}" if name in form.fields else str(error)
        for name, errors in form.errors.items()
        for error in errors
    ]


class _Echo:
    """A file-like object for csv.writer that hands each row back to the stream."""

    def write(self, value):
        return value


def _cell(value) -> str:
    """Neutralise spreadsheet formulas in text that users typed (CSV injection)."""
    text = str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv_rows(orders):
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_HEADER)
    for order in orders.order_by("due_date", "number").iterator(chunk_size=500):
        yield writer.writerow(
            [
                order.number,
                _cell(order.customer_reference),
                order.revision.product.code,
                order.revision.revision,
                order.quantity,
                order.due_date.isoformat(),
                order.status,
                "yes" if order.late else "no",
                " ".join(
                    f"{d.partner.slug}/{d.plant.code}" for d in selectors.live_dispatches(order)
                ),
                order.percent_complete,
                order.shipped_quantity,
                order.good_quantity,
            ]
        )


def _csv(orders):
    response = StreamingHttpResponse(_csv_rows(orders), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="orders-{stamp}.csv"'
    return response


@require_http_methods(["GET", "POST"])
def order_new(request):
    form = OrderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            order = hub_services.order_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, _("Order %(order)s created.") % {"order": order})
            return redirect("orders:detail", number=order.number)
    return render(
        request,
        "orders/hub/orders/order_new.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def _detail(request, order, *, dispatch_form=None, status=200):
    remaining = order.quantity - selectors.order_quantity_dispatched(order=order)
    context = {
        "order": order,
        "remaining": remaining,
        "timeline": selectors.order_timeline(order=order),
        "counter_proposals": selectors.order_counter_proposals(order),
        "dispatch_form": dispatch_form or DispatchForm(initial={"quantity": remaining}),
        "can_plan": request.membership.role in PLANNERS,
        "clearance_authority": request.membership.role in CLEARANCE_AUTHORITY,
    }
    return render(request, "orders/hub/orders/detail.html", context, status=status)


def detail(request, number):
    return _detail(request, selectors.order_get(number=number, user=request.user))


@require_POST
def dispatch(request, number):
    order = selectors.order_get(number=number, user=request.user)
    form = DispatchForm(request.POST)
    if form.is_valid():
        try:
            created = services.order_dispatch(
                order=order, actor=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("%(wo)s dispatched to %(plant)s.")
                % {"wo": created.work_order_number, "plant": created.plant.name},
            )
            return redirect("orders:detail", number=number)
    return _detail(request, order, dispatch_form=form, status=400)


DECISIONS = {"approve": True, "decline": False}


@require_http_methods(["GET", "POST"])
def counter_decide(request, number, dispatch_pk):
    """GET (or a decline POST without `confirm`) asks for confirmation; a POST
    with a decision decides. Approve needs no confirmation on the detail page."""
    dispatch_ = selectors.dispatch_get_for_user(
        dispatch_pk=dispatch_pk, user=request.user, number=number
    )
    decision = request.POST.get("decision") or request.GET.get("decision") or "decline"
    if decision not in DECISIONS:
        messages.error(request, _("Choose to approve or decline the counter-proposal."))
        return redirect("orders:detail", number=number)
    if dispatch_.status != Dispatch.Status.COUNTER_PROPOSED:
        messages.info(
            request,
            _("%(wo)s has no open counter-proposal (it is %(status)s).")
            % {"wo": dispatch_, "status": dispatch_.get_status_display().lower()},
        )
        return redirect("orders:detail", number=number)
    approve = DECISIONS[decision]
    confirmed = request.POST.get("confirm") == "yes" or approve
    if request.method == "GET" or not confirmed:
        context = {"dispatch": dispatch_, "order": dispatch_.order, "decision": decision}
        return render(request, "orders/hub/orders/counter_decide.html", context)
    try:
        services.counter_decide(
            dispatch=dispatch_, approve=approve, actor=request.user, request=request
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Counter-proposal of %(wo)s approved.") % {"wo": dispatch_}
            if approve
            else _("Counter-proposal of %(wo)s declined; dispatch the quantity again.")
            % {"wo": dispatch_},
        )
    return redirect("orders:detail", number=number)


# --- Export control ---------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def clearances(request, number):
    """Who is cleared for an export-controlled order; the network admin grants here."""
    order = selectors.order_get(number=number, user=request.user)
    if not order.export_controlled:
        messages.info(request, _("%(order)s is not export-controlled.") % {"order": order})
        return redirect("orders:detail", number=number)
    form = ClearanceGrantForm(
        request.POST or None, candidates=selectors.clearance_candidates(order)
    )
    if request.method == "POST" and form.is_valid():
        user = form.cleaned_data["user"]
        try:
            hub_services.clearance_grant(
                order=order, user=user, actor=request.user, request=request
            )
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("%(user)s is cleared for %(order)s.")
                % {"user": user.get_username(), "order": order},
            )
            return redirect("orders:clearances", number=number)
    context = {"order": order, "form": form, "cleared": selectors.cleared_users(order)}
    return render(
        request, "orders/hub/orders/clearances.html", context, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
def clearance_revoke(request, number, user_pk):
    """GET asks for confirmation; POST revokes."""
    order = selectors.order_get(number=number, user=request.user)
    user = next((u for u in selectors.cleared_users(order) if u.pk == user_pk), None)
    if user is None:
        messages.info(request, _("This user is not cleared for %(order)s.") % {"order": order})
        return redirect("orders:clearances", number=number)
    if request.method == "POST":
        hub_services.clearance_revoke(order=order, user=user, actor=request.user, request=request)
        messages.success(
            request,
            _("%(user)s is no longer cleared for %(order)s.")
            % {"user": user.get_username(), "order": order},
        )
        return redirect("orders:clearances", number=number)
    return render(
        request, "orders/hub/orders/clearance_revoke.html", {"order": order, "cleared_user": user}
    )
