"""Reads of product definitions. Partner-side code reads routings through this
module too (`orders.partner.capacity_views`), so it imports no hub model outside
`orders.hub.models.products`."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from tenants.models import Plant

from ..models.products import BomLine, InspectionCharacteristic, Operation, Product, ProductRevision


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


# --- The product pages and API ------------------------------------------------------------


def product_list() -> QuerySet[Product]:
    """Every product with its number of revisions and its released one (`released`)."""
    return Product.objects.annotate(
        revision_count=Count("revisions", distinct=True),
    ).prefetch_related(
        Prefetch(
            "revisions",
            queryset=ProductRevision.objects.filter(status=ProductRevision.Status.RELEASED),
            to_attr="released",
        )
    )


def product_revisions(product: Product) -> QuerySet[ProductRevision]:
    """The product's revisions, newest first, with their numbers of operations and BOM lines."""
    return product.revisions.annotate(
        operation_count=Count("operations", distinct=True),
        bom_count=Count("bom_lines", distinct=True),
    ).order_by("-created_at")


def product_approved_plants(product: Product) -> QuerySet[Plant]:
    return product.approved_plants.select_related("partner").order_by("partner__name", "name")


def product_released_revision(product: Product) -> ProductRevision | None:
    return product.revisions.filter(status=ProductRevision.Status.RELEASED).first()


def products_with_revisions() -> QuerySet[Product]:
    """Products with their revisions (oldest first) and approved plants, for the API."""
    revisions = ProductRevision.objects.order_by("created_at")
    return Product.objects.prefetch_related(
        Prefetch("revisions", queryset=revisions), "approved_plants"
    )


def product_get(*, product_pk: int) -> Product:
    """One product with its revisions and approved plants; 404 when it does not exist."""
    return get_object_or_404(products_with_revisions(), pk=product_pk)


def revision_get(*, product_pk: int, revision_pk: int) -> ProductRevision:
    """One revision of one product; 404 when the pair does not exist."""
    revisions = ProductRevision.objects.select_related("product", "released_by")
    return get_object_or_404(revisions, pk=revision_pk, product_id=product_pk)


def revision_operations(revision: ProductRevision) -> QuerySet[Operation]:
    """The revision's routing in sequence, each operation with its characteristics."""
    return revision.operations.prefetch_related("characteristics").order_by("sequence")


def revision_full(*, product_pk: int, revision_pk: int) -> ProductRevision:
    """A revision with its routing and characteristics in order, for the API."""
    characteristics = InspectionCharacteristic.objects.order_by("id")
    operations = Operation.objects.order_by("sequence").prefetch_related(
        Prefetch("characteristics", queryset=characteristics)
    )
    revisions = ProductRevision.objects.select_related("product", "released_by").prefetch_related(
        Prefetch("operations", queryset=operations)
    )
    return get_object_or_404(revisions, pk=revision_pk, product_id=product_pk)
