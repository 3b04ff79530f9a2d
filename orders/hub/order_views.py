"""The hub's order board, order detail (with the ledger timeline) and dispatch."""

import csv

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_tables2 import RequestConfig

from orders import services
from orders.ledger import order_quantity_dispatched

from . import selectors
from . import services as hub_services
from .models import Dispatch
from .order_filters import OrderBoardFilter
from .order_forms import DispatchForm, OrderForm
from .order_tables import OrderBoardTable

PLANNERS = ("planner", "network_admin")


def board(request):
    filterset = OrderBoardFilter(request.GET or None, queryset=selectors.order_board())
    if request.GET.get("export") == "csv":
        return _csv(filterset.qs)
    table = OrderBoardTable(filterset.qs)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(request, "orders/board/board.html", {"filter": filterset, "table": table})


def _csv(orders):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="orders-{stamp}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
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
        ]
    )
    for order in orders.order_by("due_date", "number"):
        writer.writerow(
            [
                order.number,
                order.customer_reference,
                order.revision.product.code,
                order.revision.revision,
                order.quantity,
                order.due_date.isoformat(),
                order.status,
                "yes" if order.late else "no",
                " ".join(
                    f"{d.partner.slug}/{d.plant.code}"
                    for d in order.dispatches.all()
                    if d.status != "rejected"
                ),
                selectors.percent_complete(order),
                order.shipped,
            ]
        )
    return response


@require_http_methods(["GET", "POST"])
def order_new(request):
    form = OrderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            order = hub_services.order_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Order %(order)s created.") % {"order": order})
            return redirect("orders:detail", number=order.number)
    return render(
        request, "orders/board/order_new.html", {"form": form}, status=400 if form.errors else 200
    )


def _detail(request, order, *, dispatch_form=None, status=200):
    remaining = order.quantity - order_quantity_dispatched(order=order)
    context = {
        "order": order,
        "percent": selectors.percent_complete(order),
        "remaining": remaining,
        "timeline": selectors.order_timeline(order=order),
        "dispatch_form": dispatch_form or DispatchForm(initial={"quantity": remaining}),
        "can_plan": request.membership.role in PLANNERS,
    }
    return render(request, "orders/board/detail.html", context, status=status)


def detail(request, number):
    return _detail(request, selectors.order_get(number=number))


@require_POST
def dispatch(request, number):
    order = selectors.order_get(number=number)
    form = DispatchForm(request.POST)
    if form.is_valid():
        try:
            created = services.order_dispatch(
                order=order, actor=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("%(wo)s dispatched to %(plant)s.")
                % {"wo": created.work_order_number, "plant": created.plant.name},
            )
            return redirect("orders:detail", number=number)
    return _detail(request, order, dispatch_form=form, status=400)


@require_POST
def counter_decide(request, number, dispatch_pk):
    dispatch_ = get_object_or_404(Dispatch, pk=dispatch_pk, order__number=number)
    approve = request.POST.get("decision") == "approve"
    try:
        services.counter_decide(
            dispatch=dispatch_, approve=approve, actor=request.user, request=request
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Counter-proposal approved.")
            if approve
            else _("Counter-proposal declined; dispatch the quantity again."),
        )
    return redirect("orders:detail", number=number)
