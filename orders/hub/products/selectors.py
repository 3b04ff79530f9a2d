"""Reads of product definitions. Partner-side code reads routings through this
module too (`orders.partner.capacity_views`), so it imports no hub model outside
`orders.hub.models.products`."""

from __future__ import annotations

from ..models.products import BomLine, Operation, ProductRevision


def bom_tree(revision: ProductRevision) -> list[BomLine]:
    """The BOM lines depth-first (each line under its parent), each with its `depth`."""
    lines = list(revision.bom_lines.order_by("position"))
    children: dict[int | None, list[BomLine]] = {}
    for line in lines:
        children.setdefault(line.parent_id, []).append(line)
    ordered: list[BomLine] = []
    stack = [(line, 1) for line in reversed(children.get(None, []))]
    while stack:
        line, depth = stack.pop()
        line.depth = depth
        ordered.append(line)
        stack.extend((child, depth + 1) for child in reversed(children.get(line.pk, [])))
    return ordered


def routing_work_centre_types() -> list[str]:
    """The work-centre types the routings of released revisions use."""
    return list(
        Operation.objects.filter(revision__status=ProductRevision.Status.RELEASED)
        .order_by("work_centre_type")
        .values_list("work_centre_type", flat=True)
        .distinct()
    )


def routing_capabilities() -> list[str]:
    """The capabilities the routings of released revisions require."""
    return list(
        Operation.objects.filter(revision__status=ProductRevision.Status.RELEASED)
        .exclude(required_capability="")
        .order_by("required_capability")
        .values_list("required_capability", flat=True)
        .distinct()
    )
