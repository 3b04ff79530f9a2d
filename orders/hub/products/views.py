"""Product definitions for planners: products, revisions, BOM, routing, release, CSV import."""

import hashlib

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal import csv_reading
from portal.forms import form_add_service_error
from portal.tables import RequestConfig
from portal.uploads import clean_filename
from tenants.models import PLANNER_ROLES, Certification

from ..models.products import Product, ProductRevision, RevisionIsReleased
from . import csv_import, selectors, services
from .filters import ProductFilter
from .forms import (
    UNITS,
    BomLineForm,
    CharacteristicForm,
    CsvUploadForm,
    OperationForm,
    ProductForm,
    ProductPlanningForm,
)
from .tables import ProductTable

PAGE_SIZE = 50


def _can_plan(request) -> bool:
    return request.membership.role in PLANNER_ROLES


def _revision_url(revision: ProductRevision):
    return redirect("products:revision", product_pk=revision.product_id, revision_pk=revision.pk)


# --- Products ---------------------------------------------------------------------------


def product_list(request):
    filterset = ProductFilter(request.GET or None, queryset=selectors.product_list())
    table = ProductTable(filterset.qs)
    RequestConfig(request, paginate={"per_page": PAGE_SIZE}).configure(table)
    return render(
        request,
        "orders/hub/products/list.html",
        {
            "filter": filterset,
            "table": table,
            "can_plan": _can_plan(request),
            "no_products": not Product.objects.exists(),
        },
    )


@require_http_methods(["GET", "POST"])
def product_new(request):
    """A new product with an empty draft revision A."""
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            revision = services.product_create(**form.cleaned_data)
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("Product %(code)s created with draft revision %(rev)s.")
                % {"code": revision.product.code, "rev": revision.revision},
            )
            return _revision_url(revision)
    return render(
        request,
        "orders/hub/products/form.html",
        {"form": form, "title": _("New product"), "submit": _("Create product")},
        status=400 if form.errors else 200,
    )


def _product_detail(request, product, *, planning_form=None, status=200):
    context = {
        "product": product,
        "revisions": selectors.product_revisions(product),
        "approved_plants": selectors.product_approved_plants(product),
        "can_plan": _can_plan(request),
    }
    if context["can_plan"]:
        context["planning_form"] = planning_form or ProductPlanningForm(instance=product)
    return render(request, "orders/hub/products/detail.html", context, status=status)


def product_detail(request, product_pk):
    return _product_detail(request, get_object_or_404(Product, pk=product_pk))


@require_POST
def product_planning(request, product_pk):
    """Material cost per unit and approved plants, from the product page."""
    product = get_object_or_404(Product, pk=product_pk)
    form = ProductPlanningForm(request.POST)  # the service writes
    if form.is_valid():
        try:
            services.product_planning_set(product=product, **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(
                request, _("Planning data of %(code)s saved.") % {"code": product.code}
            )
            return redirect("products:detail", product_pk=product.pk)
    return _product_detail(request, product, planning_form=form, status=400)


# --- Revisions --------------------------------------------------------------------------


def revision_detail(request, product_pk, revision_pk):
    revision = selectors.revision_get(product_pk=product_pk, revision_pk=revision_pk)
    can_edit = _can_plan(request) and revision.is_editable
    context = {
        "revision": revision,
        "lines": selectors.bom_tree(revision),
        "operations": selectors.revision_operations(revision),
        "can_plan": _can_plan(request),
        "can_edit": can_edit,
    }
    if can_edit:
        context |= {
            "bom_form": BomLineForm(revision=revision, prefix="bom"),
            "operation_form": OperationForm(revision=revision, prefix="op"),
            "characteristic_form": CharacteristicForm(revision=revision, prefix="ch"),
        }
    return render(request, "orders/hub/products/revision.html", context)


@require_http_methods(["GET", "POST"])
def revision_release(request, product_pk, revision_pk):
    revision = selectors.revision_get(product_pk=product_pk, revision_pk=revision_pk)
    error = None
    if request.method == "POST":
        try:
            services.revision_release(revision=revision, actor=request.user, request=request)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("%(revision)s is released.") % {"revision": revision})
            return _revision_url(revision)
    current = selectors.product_released_revision(revision.product)
    return render(
        request,
        "orders/hub/products/release.html",
        {"revision": revision, "current": current, "error": error},
        status=400 if error else 200,
    )


@require_POST
def revision_new(request, product_pk):
    """A new draft revision, copying BOM, routing and characteristics of the latest one."""
    revision = services.revision_create(product=get_object_or_404(Product, pk=product_pk))
    messages.success(request, _("Draft revision %(rev)s created.") % {"rev": revision.revision})
    return _revision_url(revision)


# --- Rows of a draft revision -------------------------------------------------------------

PARTS = {
    "bom": (BomLineForm, _("Add a BOM line"), _("BOM line %(row)s added.")),
    "op": (OperationForm, _("Add an operation"), _("Operation %(row)s added.")),
    "ch": (CharacteristicForm, _("Add an inspection characteristic"), _("%(row)s added.")),
}


def _revision_part_add(request, product_pk, revision_pk, *, kind: str):
    form_class, title, done = PARTS[kind]
    revision = selectors.revision_get(product_pk=product_pk, revision_pk=revision_pk)
    if not revision.is_editable:
        messages.error(request, _("%(revision)s is read-only.") % {"revision": revision})
        return _revision_url(revision)
    form = form_class(request.POST or None, revision=revision, prefix=kind)
    if request.method == "POST" and form.is_valid():
        try:
            row = services.revision_part_add(revision=revision, part=kind, fields=form.cleaned_data)
        except RevisionIsReleased as exc:
            messages.error(request, " ".join(exc.messages))
            return _revision_url(revision)
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, done % {"row": row})
            return _revision_url(revision)
    return render(
        request,
        "orders/hub/products/form.html",
        {"form": form, "title": title, "submit": _("Add"), "revision": revision},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def bom_line_add(request, product_pk, revision_pk):
    return _revision_part_add(request, product_pk, revision_pk, kind="bom")


@require_http_methods(["GET", "POST"])
def operation_add(request, product_pk, revision_pk):
    return _revision_part_add(request, product_pk, revision_pk, kind="op")


@require_http_methods(["GET", "POST"])
def characteristic_add(request, product_pk, revision_pk):
    return _revision_part_add(request, product_pk, revision_pk, kind="ch")


@require_POST
def revision_part_remove(request, product_pk, revision_pk):
    """Remove one BOM line (with the lines under it), operation (with its characteristics)
    or characteristic of a draft revision: POST `kind` and `id`."""
    kind, row_id = request.POST.get("kind"), request.POST.get("id", "")
    if kind not in services.REVISION_PARTS or not row_id.isdigit():
        messages.error(request, _("Nothing to remove."))
        return redirect("products:revision", product_pk=product_pk, revision_pk=revision_pk)
    revision = selectors.revision_get(product_pk=product_pk, revision_pk=revision_pk)
    try:
        row = services.revision_part_remove(revision=revision, part=kind, row_id=int(row_id))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(row)s removed.") % {"row": row})
    return redirect("products:revision", product_pk=product_pk, revision_pk=revision_pk)


# --- CSV import ------------------------------------------------------------------------------


def _import_render(request, *, form=None, preview=None, digest="", status=200):
    return render(
        request,
        "orders/hub/products/import.html",
        {
            "form": form or CsvUploadForm(),
            "preview": preview,
            "digest": digest,
            "units": list(UNITS),
            "standards": Certification.Standard.values,
            "max_size": filesizeformat(csv_import.MAX_BYTES),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def product_import(request):
    """Upload → preview with row errors → "Import N rows" writes all rows or none."""
    if request.method == "POST" and "confirm" in request.POST:
        return _import_confirm(request)
    if request.method != "POST":
        return _import_render(request)
    form = CsvUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _import_render(request, form=form, status=400)
    upload = form.cleaned_data["file"]
    try:
        name = clean_filename(upload.name)
        if upload.size > csv_import.MAX_BYTES:
            raise ValidationError(
                _("The file is %(size)s; the limit is %(limit)s.")
                % {
                    "size": filesizeformat(upload.size),
                    "limit": filesizeformat(csv_import.MAX_BYTES),
                }
            )
        if not name.lower().endswith((".csv", ".txt")):
            raise ValidationError(_("Upload a .csv file."))
        content = upload.read()
        if b"\x00" in content:
            raise ValidationError(_("This is not a text file."))
    except ValidationError as exc:
        form.add_error("file", exc)
        return _import_render(request, form=form, status=400)
    text, encoding, fallback = csv_reading.decode(content)
    preview = csv_import.parse(text, encoding=encoding, fallback_encoding=fallback)
    digest = hashlib.sha256(text.encode()).hexdigest()
    if preview.ok:
        request.session[csv_import.SESSION_KEY] = {
            "text": text,
            "encoding": encoding,
            "fallback": fallback,
            "name": name,
            "digest": digest,
        }
    else:
        request.session.pop(csv_import.SESSION_KEY, None)
    return _import_render(
        request, preview=preview, digest=digest, status=200 if preview.ok else 400
    )


def _import_confirm(request):
    stored = request.session.get(csv_import.SESSION_KEY)
    if not stored or stored["digest"] != request.POST.get("digest"):
        messages.error(request, _("This preview has expired; upload the file again."))
        return redirect("products:import")
    try:
        preview = services.definitions_import(
            text=stored["text"], encoding=stored["encoding"], actor=request.user
        )
    except csv_import.ImportRefused as exc:
        exc.preview.fallback_encoding = stored["fallback"]
        request.session.pop(csv_import.SESSION_KEY, None)
        messages.error(request, _("Nothing was imported: the file has errors now."))
        return _import_render(request, preview=exc.preview, status=400)
    request.session.pop(csv_import.SESSION_KEY, None)
    counts = preview.counts()
    messages.success(
        request,
        _(
            "Imported %(rows)s rows from %(name)s: %(bom)s BOM lines, %(op)s operations, "
            "%(ch)s inspection characteristics."
        )
        % {
            "rows": len(preview.rows),
            "name": stored["name"],
            "bom": counts["bom"],
            "op": counts["operation"],
            "ch": counts["characteristic"],
        },
    )
    return redirect("products:list")
