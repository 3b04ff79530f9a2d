"""Writes on product definitions and network orders (hub data only)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import audit_record
from portal.models import AuditEntry

from . import clearance
from .models import NetworkOrder, ProductRevision


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
            action=AuditEntry.Action.PRODUCT_RELEASED,
            actor=actor,
            obj=revision,
            request=request,
            revision=str(revision),
        )
    return revision


def order_create(*, actor, number: str | None = None, **fields) -> NetworkOrder:
    revision = fields["revision"]
    if revision.status != ProductRevision.Status.RELEASED:
        raise ValidationError(
            {"revision": _("%(revision)s is not released.") % {"revision": revision}}
        )
    if fields["due_date"] < timezone.localdate():
        raise ValidationError({"due_date": _("The due date is in the past.")})
    with transaction.atomic():
        order = NetworkOrder(created_by=actor, **fields)
        order.number = number or _next_order_number()
        order.full_clean()
        order.save()
        clearance.creator_clear(order=order, actor=actor)
    return order


def _next_order_number() -> str:
    year = timezone.now().year
    prefix = f"NO-{year}-"
    last = (
        NetworkOrder.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    seq = int(last.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{seq:05d}"


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
    from .models import BomLine, InspectionCharacteristic, Operation

    with transaction.atomic():
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
