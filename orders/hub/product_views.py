"""Product definitions for planners: products, revisions, BOM, routing, release."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_tables2 import RequestConfig

from . import services
from .models import Product, ProductRevision
from .product_tables import ProductTable

PLANNERS = ("planner", "network_admin")


def product_list(request):
    products = Product.objects.annotate(
        revision_count=Count("revisions", distinct=True),
    ).prefetch_related(
        Prefetch(
            "revisions",
            queryset=ProductRevision.objects.filter(status="released"),
            to_attr="released",
        )
    )
    query = request.GET.get("q", "").strip()
    if query:
        products = products.filter(Q(code__icontains=query) | Q(name__icontains=query))
    table = ProductTable(products)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(request, "orders/products/list.html", {"table": table, "q": query})


def product_detail(request, product_pk):
    product = get_object_or_404(Product, pk=product_pk)
    revisions = product.revisions.annotate(
        operation_count=Count("operations", distinct=True),
        bom_count=Count("bom_lines", distinct=True),
    ).order_by("-created_at")
    return render(
        request, "orders/products/detail.html", {"product": product, "revisions": revisions}
    )


def revision_detail(request, product_pk, revision_pk):
    revision = get_object_or_404(
        ProductRevision.objects.select_related("product", "released_by"),
        pk=revision_pk,
        product_id=product_pk,
    )
    lines = list(revision.bom_lines.select_related("parent").order_by("position"))
    depth = {}
    for line in lines:  # positions put parents before their children
        depth[line.pk] = depth.get(line.parent_id, 0) + 1
        line.depth = depth[line.pk]
    operations = revision.operations.prefetch_related("characteristics").order_by("sequence")
    return render(
        request,
        "orders/products/revision.html",
        {
            "revision": revision,
            "lines": lines,
            "operations": operations,
            "can_plan": request.membership.role in PLANNERS,
        },
    )


@require_http_methods(["GET", "POST"])
def revision_release(request, product_pk, revision_pk):
    revision = get_object_or_404(
        ProductRevision.objects.select_related("product"), pk=revision_pk, product_id=product_pk
    )
    error = None
    if request.method == "POST":
        try:
            services.revision_release(revision=revision, actor=request.user, request=request)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("%(revision)s is released.") % {"revision": revision})
            return redirect("products:revision", product_pk=product_pk, revision_pk=revision_pk)
    current = revision.product.revisions.filter(status="released").first()
    return render(
        request,
        "orders/products/release.html",
        {"revision": revision, "current": current, "error": error},
        status=400 if error else 200,
    )


@require_POST
def revision_new(request, product_pk):
    """A new draft revision, copying BOM, routing and characteristics of the latest one."""
    product = get_object_or_404(Product, pk=product_pk)
    latest = product.revisions.order_by("-created_at").first()
    revision = services.revision_copy(product=product, source=latest)
    messages.success(request, _("Draft revision %(rev)s created.") % {"rev": revision.revision})
    return redirect("products:revision", product_pk=product.pk, revision_pk=revision.pk)
