"""Product definitions: products, their revisions, and each revision's BOM, routing
and inspection characteristics. Hub data that partners work to: partner-side code
may read this module (and only this one of orders.hub.models)."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tenants.models import Certification, Plant


class Product(models.Model):
    code = models.CharField(_("product code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    material_cost_per_unit = models.DecimalField(
        _("material cost per unit"),
        max_digits=12,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    approved_plants = models.ManyToManyField(
        Plant,
        verbose_name=_("approved plants"),
        blank=True,
        related_name="approved_products",
        help_text=_("Empty: any plant with the certifications and capabilities the routing needs."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self):
        return f"{self.code} {self.name}"


class RevisionIsReleased(ValidationError):
    pass


class ProductRevision(models.Model):
    """One version of a product's definition. Released revisions are immutable,
    and a product has at most one released revision at a time."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        RELEASED = "released", _("Released")
        OBSOLETE = "obsolete", _("Obsolete")

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="revisions"
    )
    revision = models.CharField(_("revision"), max_length=10)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    released_at = models.DateTimeField(_("released"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("released by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["product__code", "revision"]
        verbose_name = _("product revision")
        verbose_name_plural = _("product revisions")
        constraints = [
            models.UniqueConstraint(fields=["product", "revision"], name="revision_unique"),
            models.UniqueConstraint(
                fields=["product"],
                condition=Q(status="released"),
                name="one_released_revision_per_product",
            ),
        ]

    def __str__(self):
        return f"{self.product.code} rev {self.revision}"

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT

    def ensure_editable(self) -> None:
        if not self.is_editable:
            raise RevisionIsReleased(
                _("%(revision)s is %(status)s and cannot be changed; create a new revision.")
                % {"revision": self, "status": self.get_status_display().lower()}
            )


class RevisionPart(models.Model):
    """Rows that belong to a revision and freeze with it."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self._revision().ensure_editable()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._revision().ensure_editable()
        return super().delete(*args, **kwargs)

    def _revision(self) -> ProductRevision:
        raise NotImplementedError


class BomLine(RevisionPart):
    """One line of a multi-level bill of materials: a component under the
    product itself (no parent) or under another line."""

    revision = models.ForeignKey(
        ProductRevision,
        verbose_name=_("revision"),
        on_delete=models.CASCADE,
        related_name="bom_lines",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent line"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    position = models.PositiveIntegerField(_("position"))
    component_code = models.CharField(_("component"), max_length=40)
    description = models.CharField(_("description"), max_length=200, blank=True)
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=12,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0.0001"))],
    )
    unit = models.CharField(_("unit"), max_length=10, default="pcs")

    class Meta:
        ordering = ["revision", "position"]
        verbose_name = _("BOM line")
        verbose_name_plural = _("BOM lines")
        constraints = [
            models.UniqueConstraint(fields=["revision", "position"], name="bom_position_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="bom_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.component_code} × {self.quantity} {self.unit}"

    def _revision(self):
        return self.revision

    @property
    def level(self) -> int:
        level, line = 1, self
        while line.parent_id:
            line, level = line.parent, level + 1
        return level


class Operation(RevisionPart):
    """One step of a revision's routing."""

    revision = models.ForeignKey(
        ProductRevision,
        verbose_name=_("revision"),
        on_delete=models.CASCADE,
        related_name="operations",
    )
    sequence = models.PositiveIntegerField(_("sequence"))
    name = models.CharField(_("operation"), max_length=100)
    work_centre_type = models.CharField(_("work-centre type"), max_length=40)
    setup_minutes = models.DecimalField(
        _("setup (min)"),
        max_digits=8,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    run_minutes_per_unit = models.DecimalField(
        _("run time per unit (min)"),
        max_digits=8,
        decimal_places=3,
        validators=[MinValueValidator(0)],
    )
    required_capability = models.CharField(_("required capability"), max_length=60, blank=True)
    required_certification = models.CharField(
        _("required certification"),
        max_length=16,
        choices=Certification.Standard.choices,
        blank=True,
    )

    class Meta:
        ordering = ["revision", "sequence"]
        verbose_name = _("operation")
        verbose_name_plural = _("operations")
        constraints = [
            models.UniqueConstraint(
                fields=["revision", "sequence"], name="operation_sequence_unique"
            )
        ]

    def __str__(self):
        return f"{self.sequence} {self.name}"

    def _revision(self):
        return self.revision


class InspectionCharacteristic(RevisionPart):
    class Kind(models.TextChoices):
        VARIABLE = "variable", _("Measured value")
        ATTRIBUTE = "attribute", _("Pass/fail")

    operation = models.ForeignKey(
        Operation,
        verbose_name=_("operation"),
        on_delete=models.CASCADE,
        related_name="characteristics",
    )
    name = models.CharField(_("characteristic"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.VARIABLE)
    nominal = models.DecimalField(
        _("nominal"), max_digits=14, decimal_places=6, null=True, blank=True
    )
    lower_limit = models.DecimalField(
        _("lower limit"), max_digits=14, decimal_places=6, null=True, blank=True
    )
    upper_limit = models.DecimalField(
        _("upper limit"), max_digits=14, decimal_places=6, null=True, blank=True
    )
    unit = models.CharField(_("unit"), max_length=10, blank=True)

    class Meta:
        ordering = ["operation", "id"]
        verbose_name = _("inspection characteristic")
        verbose_name_plural = _("inspection characteristics")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="attribute")
                | (
                    Q(lower_limit__isnull=False, upper_limit__isnull=False, nominal__isnull=False)
                    & Q(lower_limit__lte=F("nominal"), nominal__lte=F("upper_limit"))
                ),
                name="characteristic_limits_around_nominal",
            )
        ]

    def __str__(self):
        return self.name

    def _revision(self):
        return self.operation.revision
