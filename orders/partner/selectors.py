from django.db.models import Case, IntegerField, Prefetch, QuerySet, When
from django.shortcuts import get_object_or_404

from .models import ProgressReport, WorkOrder, WorkOrderOperation


def work_order_list() -> QuerySet[WorkOrder]:
    """This schema's work orders, those awaiting an answer first, with operations."""
    return (
        WorkOrder.objects.annotate(
            awaiting=Case(
                When(status=WorkOrder.Status.DISPATCHED, then=0),
                default=1,
                output_field=IntegerField(),
            )
        )
        .prefetch_related(
            Prefetch("operations", queryset=WorkOrderOperation.objects.order_by("sequence"))
        )
        .order_by("awaiting", "due_date", "number")
    )


def work_order_get(*, number: str) -> WorkOrder:
    return get_object_or_404(work_order_list(), number=number)


def operation_get(*, work_order: WorkOrder, pk: int) -> WorkOrderOperation:
    return get_object_or_404(WorkOrderOperation, work_order=work_order, pk=pk)


def operations_with_capacity(*, work_order: WorkOrder) -> list[WorkOrderOperation]:
    """The work order's operations in sequence, each with `released` (what the
    previous operation passed on, or the order quantity for the first) and
    `can_take` (what it may still report): the rule progress_report enforces."""
    operations = sorted(work_order.operations.all(), key=lambda op: op.sequence)
    released = work_order.quantity
    for operation in operations:
        operation.released = released
        operation.can_take = max(0, released - operation.good_quantity - operation.scrap_quantity)
        released = operation.good_quantity
    return operations


def progress_history(*, work_order: WorkOrder) -> QuerySet[ProgressReport]:
    return ProgressReport.objects.filter(operation__work_order=work_order).select_related(
        "operation"
    )


def percent_complete(work_order: WorkOrder) -> int:
    from .services import routing_percent

    return routing_percent(list(work_order.operations.all()), work_order.quantity)
