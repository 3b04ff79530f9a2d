"""Writes on product definitions: products, revisions and their release, the rows of
a draft revision (BOM lines, operations, inspection characteristics), and the
planning fields of a product (material cost, approved plants)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.vocabulary import PRODUCT_IMPORTED, PRODUCT_RELEASED
from portal.audit import audit_record
from portal.csv_reading import RowError
from tenants.models import Partner, Plant

from ..models.products import (
    BomLine,
    InspectionCharacteristic,
    Operation,
    Product,
    ProductRevision,
    RevisionPart,
)
from . import csv_import


def revision_release(*, revision: ProductRevision, actor, request=None) -> ProductRevision:
    """Release a draft revision; the previously released one becomes obsolete."""
    with transaction.atomic():
        revision = ProductRevision.objects.select_for_update().get(pk=revision.pk)
        if revision.status != ProductRevision.Status.DRAFT:
            raise ValidationError(_("Only a draft revision can be released."))
        if not revision.operations.exists():
            raise ValidationError(_("A revision needs a routing (at least one operation)."))
        ProductRevision.objects.filter(
            product=revision.product, status=ProductRevision.Status.RELEASED
        ).update(status=ProductRevision.Status.OBSOLETE)
        revision.status = ProductRevision.Status.RELEASED
        revision.released_at = timezone.now()
        revision.released_by = actor
        try:
            revision.save(update_fields=["status", "released_at", "released_by"])
        except IntegrityError as exc:  # a concurrent release of the same product
            raise ValidationError(_("Another revision was released at the same time.")) from exc
        audit_record(
            action=PRODUCT_RELEASED,
            actor=actor,
            obj=revision,
            request=request,
            revision=str(revision),
        )
    return revision


def _next_revision_code(product) -> str:
    codes = list(product.revisions.values_list("revision", flat=True))
    letters = [c for c in codes if len(c) == 1 and c.isalpha()]
    if not codes:
        return "A"
    if letters:
        return (
            chr(ord(max(letters).upper()) + 1)
            if max(letters).upper() < "Z"
            else f"R{len(codes) + 1}"
        )
    return f"R{len(codes) + 1}"


def revision_copy(*, product, source: ProductRevision | None) -> ProductRevision:
    """A new draft revision; with a source, its BOM, routing and characteristics copied."""
    with transaction.atomic():
        # Hold the product: two new revisions at once would pick the same next code.
        Product.objects.select_for_update().filter(pk=product.pk).first()
        revision = ProductRevision.objects.create(
            product=product, revision=_next_revision_code(product)
        )
        if source is None:
            return revision
        new_lines: dict[int, BomLine] = {}
        for line in source.bom_lines.order_by("position"):
            new_lines[line.pk] = BomLine.objects.create(
                revision=revision,
                parent=new_lines.get(line.parent_id),
                position=line.position,
                component_code=line.component_code,
                description=line.description,
                quantity=line.quantity,
                unit=line.unit,
            )
        for op in source.operations.prefetch_related("characteristics"):
            copy = Operation.objects.create(
                revision=revision,
                sequence=op.sequence,
                name=op.name,
                work_centre_type=op.work_centre_type,
                setup_minutes=op.setup_minutes,
                run_minutes_per_unit=op.run_minutes_per_unit,
                required_capability=op.required_capability,
                required_certification=op.required_certification,
            )
            for ch in op.characteristics.all():
                InspectionCharacteristic.objects.create(
                    operation=copy,
                    name=ch.name,
                    kind=ch.kind,
                    nominal=ch.nominal,
                    lower_limit=ch.lower_limit,
                    upper_limit=ch.upper_limit,
                    unit=ch.unit,
                )
    return revision


def revision_create(*, product: Product, source: ProductRevision | None = None) -> ProductRevision:
    """A new draft revision of `product` copying `source`, by default its latest revision
    (a product without revisions gets an empty one)."""
    if source is None:
        source = product.revisions.order_by("-created_at").first()
    return revision_copy(product=product, source=source)


def product_create(*, code: str, name: str, description: str = "") -> ProductRevision:
    """A new product and its empty draft revision A, which is returned.

    The fields are those `ProductForm` cleans (the pages and the API both use it)."""
    try:
        with transaction.atomic():
            product = Product.objects.create(code=code, name=name, description=description)
            return revision_copy(product=product, source=None)
    except IntegrityError as exc:
        # The form checked the code; someone created it between that check and now.
        raise ValidationError(
            {"code": _("A product with the code %(code)s exists already.") % {"code": code}}
        ) from exc


# The rows of a revision, by the names the pages give them, each with the lookup from
# the row to its revision.
REVISION_PARTS: dict[str, tuple[type[RevisionPart], str]] = {
    "bom": (BomLine, "revision"),
    "op": (Operation, "revision"),
    "ch": (InspectionCharacteristic, "operation__revision"),
}


def _revision_lock_editable(revision: ProductRevision) -> ProductRevision:
    """Hold the revision until the transaction ends (a release waits for this write, or
    wins it) and refuse if it is no longer a draft."""
    revision = (
        ProductRevision.objects.select_related("product")
        .select_for_update(of=("self",))
        .get(pk=revision.pk)
    )
    revision.ensure_editable()
    return revision


def revision_part_add(
    *, revision: ProductRevision, part: str, fields: dict[str, Any]
) -> RevisionPart:
    """Add a BOM line, an operation or an inspection characteristic (`part`: a key of
    REVISION_PARTS) to a draft revision. `fields` are what the part's form in
    product_forms cleans (the pages and the API both validate with it)."""
    model, to_revision = REVISION_PARTS[part]
    try:
        with transaction.atomic():
            revision = _revision_lock_editable(revision)
            owner = {"revision": revision} if to_revision == "revision" else {}
            return model.objects.create(**fields, **owner)
    except IntegrityError as exc:  # a concurrent add took the same position or sequence
        raise ValidationError(
            _("Someone changed this revision at the same time; try again.")
        ) from exc


def revision_part_remove(*, revision: ProductRevision, part: str, row_id: int) -> RevisionPart:
    """Remove one row of a draft revision: a BOM line with the lines under it, an operation
    with its characteristics, or a characteristic. Returns the removed row."""
    model, to_revision = REVISION_PARTS[part]
    with transaction.atomic():
        revision = _revision_lock_editable(revision)
        rows = model.objects.select_related(to_revision).filter(**{to_revision: revision})
        row = get_object_or_404(rows, pk=row_id)
        row.delete()
    return row


# --- The CSV import of definitions (the file's format and checks: csv_import) -------------


def definitions_import(
    *, text: str, encoding: str = "UTF-8", actor=None
) -> csv_import.ImportPreview:
    """Parse `text` again and write every row in one transaction; raise ImportRefused
    (and write nothing) when any row has an error, now or at write time."""
    with transaction.atomic():
        preview = csv_import.parse(text, encoding=encoding)
        if not preview.ok:
            raise csv_import.ImportRefused(preview)
        keys = {row.key for row in preview.rows}
        codes = {code for code, _rev in keys}
        # Lock the revisions we add to: a release cannot slip in between check and write.
        locked = {
            (r.product.code, r.revision): r
            for r in ProductRevision.objects.select_for_update(of=("self",))
            .filter(product__code__in=codes)
            .select_related("product")
        }
        for key, revision in locked.items():
            if key in keys and not revision.is_editable:
                preview.errors.append(
                    RowError(
                        0,
                        "revision",
                        _("%(revision)s was released meanwhile.") % {"revision": revision},
                    )
                )
                raise csv_import.ImportRefused(preview)
        try:
            _definitions_write(preview, codes=codes, keys=keys, locked=locked)
        except IntegrityError as exc:  # someone changed the same definitions at the same time
            preview.errors.append(
                RowError(
                    0, "", _("Could not be written (%(e)s); nothing was imported.") % {"e": exc}
                )
            )
            raise csv_import.ImportRefused(preview) from exc
        audit_record(
            action=PRODUCT_IMPORTED,
            actor=actor,
            object_type="orders_hub.ProductRevision",
            object_id=",".join(sorted(codes))[:64],
            rows=len(preview.rows),
            encoding=encoding,
        )
    return preview


def _definitions_write(preview: csv_import.ImportPreview, *, codes, keys, locked) -> None:
    products = {p.code: p for p in Product.objects.filter(code__in=codes)}
    revisions: dict[tuple[str, str], ProductRevision] = {}
    for code, rev in sorted(keys):
        if code not in products:
            products[code] = Product.objects.create(code=code, name=preview.product_names[code])
        revisions[(code, rev)] = locked.get((code, rev)) or ProductRevision.objects.create(
            product=products[code], revision=rev
        )
    lines = {
        (line.revision.product.code, line.revision.revision, line.position): line
        for line in BomLine.objects.filter(revision__in=revisions.values()).select_related(
            "revision__product"
        )
    }
    operations = {
        (op.revision.product.code, op.revision.revision, op.sequence): op
        for op in Operation.objects.filter(revision__in=revisions.values()).select_related(
            "revision__product"
        )
    }
    for row in preview.rows:
        revision, v = revisions[row.key], row.values
        if row.record == "bom":
            line = BomLine(
                revision=revision,
                parent=lines.get((*row.key, v["parent_position"]))
                if v["parent_position"]
                else None,
                position=v["position"],
                component_code=v["component_code"],
                description=v["description"],
                quantity=v["quantity"],
                unit=v["unit"],
            )
            line.save()
            lines[(*row.key, line.position)] = line
        elif row.record == "operation":
            op = Operation(revision=revision, **v)
            op.save()
            operations[(*row.key, op.sequence)] = op
        else:
            fields = {k: v[k] for k in v if k != "sequence"}
            InspectionCharacteristic(
                operation=operations[(*row.key, v["sequence"])], **fields
            ).save()


# --- A product's planning fields ----------------------------------------------------------


def product_planning_set(
    *,
    product: Product,
    material_cost_per_unit: Decimal,
    approved_plants: Iterable[Plant],
) -> Product:
    """The product's standard material cost per unit and the plants approved to make
    it (none: any plant with the certifications and capabilities the routing needs)."""
    plants = list(approved_plants)
    hub_plants = Plant.objects.filter(
        pk__in=[p.pk for p in plants], partner__in=Partner.objects.partners()
    )
    if hub_plants.count() != len({p.pk for p in plants}):
        raise ValidationError({"approved_plants": _("Choose plants of partners in the network.")})
    with transaction.atomic():
        product = Product.objects.select_for_update().get(pk=product.pk)
        product.material_cost_per_unit = material_cost_per_unit
        product.full_clean(validate_unique=False, validate_constraints=False)
        product.save(update_fields=["material_cost_per_unit"])
        product.approved_plants.set(plants)
    return product
