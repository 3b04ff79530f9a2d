"""Work orders in a partner's own schema: what it accepted, made and shipped.

Users and hub rows live in the public schema; they are referred to by plain
ids and numbers, never by foreign keys across schemas.
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class WorkOrder(models.Model):
    class Status(models.TextChoices):
        DISPATCHED = "dispatched", _("Awaiting answer")
        ACCEPTED = "accepted", _("Accepted")
        COUNTER_PROPOSED = "counter_proposed", _("Counter-proposed")
        REJECTED = "rejected", _("Rejected")
        IN_PROGRESS = "in_progress", _("In progress")
        SHIPPED = "shipped", _("Shipped")

    class RejectReason(models.TextChoices):
        NO_CAPACITY = "no_capacity", _("No capacity")
        NO_MATERIAL = "no_material", _("No material")
        TECHNICAL = "technical", _("Technical")
        COMMERCIAL = "commercial", _("Commercial")
        OTHER = "other", _("Other")

    number = models.CharField(_("work order"), max_length=30, unique=True)
    hub_dispatch_id = models.BigIntegerField(_("hub dispatch"), unique=True)
    order_number = models.CharField(_("network order"), max_length=20)
    plant_code = models.CharField(_("plant"), max_length=20)
    product_code = models.CharField(_("product"), max_length=40)
    product_name = models.CharField(_("product name"), max_length=200)
    revision = models.CharField(_("revision"), max_length=10)
    quantity = models.PositiveIntegerField(_("quantity"))
    due_date = models.DateField(_("due date"))
    promised_date = models.DateField(_("promised date"), null=True, blank=True)
    export_controlled = models.BooleanField(_("export-controlled"), default=False)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=Status.choices,
        default=Status.DISPATCHED,
        db_index=True,
    )
    dispatched_at = models.DateTimeField(_("dispatched"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    reject_reason = models.CharField(
        _("reject reason"), max_length=16, choices=RejectReason.choices, blank=True
    )
    reject_text = models.CharField(_("reject details"), max_length=500, blank=True)
    shipped_quantity = models.PositiveIntegerField(_("shipped"), default=0)
    # Private to the partner: never published to the hub.
    internal_notes = models.TextField(_("internal notes"), blank=True)
    internal_cost = models.DecimalField(
        _("internal cost"), max_digits=12, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["due_date", "number"]
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        constraints = [
            models.CheckConstraint(
                condition=Q(shipped_quantity__lte=models.F("quantity")),
                name="work_order_shipped_within_quantity",
            )
        ]

    def __str__(self):
        return self.number

    @property
    def acknowledgement_seconds(self) -> float | None:
        if self.answered_at is None:
            return None
        return (self.answered_at - self.dispatched_at).total_seconds()


class WorkOrderOperation(models.Model):
    """The routing operation as it was when the work order was dispatched,
    with the running totals that reports add to (under a row lock)."""

    work_order = models.ForeignKey(
        WorkOrder,
        verbose_name=_("work order"),
        on_delete=models.CASCADE,
        related_name="operations",
    )
    sequence = models.PositiveIntegerField(_("sequence"))
    name = models.CharField(_("operation"), max_length=100)
    work_centre_type = models.CharField(_("work-centre type"), max_length=40)
    good_quantity = models.PositiveIntegerField(_("good"), default=0)
    scrap_quantity = models.PositiveIntegerField(_("scrap"), default=0)

    class Meta:
        ordering = ["work_order", "sequence"]
        verbose_name = _("work order operation")
        verbose_name_plural = _("work order operations")
        constraints = [
            models.UniqueConstraint(
                fields=["work_order", "sequence"], name="wo_operation_sequence_unique"
            )
        ]

    def __str__(self):
        return f"{self.sequence} {self.name}"


class ProgressReport(models.Model):
    operation = models.ForeignKey(
        WorkOrderOperation,
        verbose_name=_("operation"),
        on_delete=models.CASCADE,
        related_name="reports",
    )
    good_quantity = models.PositiveIntegerField(_("good quantity"))
    scrap_quantity = models.PositiveIntegerField(_("scrap quantity"), default=0)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"))
    notes = models.TextField(_("operator notes"), blank=True)
    share_notes = models.BooleanField(
        _("share notes with the hub"),
        default=False,
        help_text=_("Notes stay private to your company unless you tick this."),
    )
    reported_by_id = models.BigIntegerField(_("reported by (user id)"))
    reported_by_label = models.CharField(_("reported by"), max_length=254)
    reported_at = models.DateTimeField(_("reported"), auto_now_add=True)

    class Meta:
        ordering = ["-reported_at", "-id"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        constraints = [
            models.CheckConstraint(
                condition=Q(good_quantity__gt=0) | Q(scrap_quantity__gt=0),
                name="report_has_quantity",
            ),
            models.CheckConstraint(
                condition=Q(finished_at__gte=models.F("started_at")),
                name="report_finishes_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.operation}: {self.good_quantity} good, {self.scrap_quantity} scrap"


class Shipment(models.Model):
    work_order = models.ForeignKey(
        WorkOrder,
        verbose_name=_("work order"),
        on_delete=models.CASCADE,
        related_name="shipments",
    )
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    lots = models.CharField(_("lots shipped"), max_length=500, blank=True)
    carrier = models.CharField(_("carrier"), max_length=100)
    tracking_number = models.CharField(_("tracking number"), max_length=100)
    shipped_at = models.DateTimeField(_("shipped"), auto_now_add=True)
    shipped_by_id = models.BigIntegerField(_("shipped by (user id)"))
    shipped_by_label = models.CharField(_("shipped by"), max_length=254)

    class Meta:
        ordering = ["-shipped_at"]
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="shipment_quantity_positive")
        ]

    def __str__(self):
        return f"{self.work_order}: {self.quantity} via {self.carrier} {self.tracking_number}"


# --- The plant's capacity declaration: the partner's data, published to the hub ------------
# `plant_id` is a hub Plant of this partner (public schema; no foreign key across schemas).
# orders.partner.capacity writes these rows and publishes the plant's whole declaration.


class WorkCentre(models.Model):
    plant_id = models.BigIntegerField(_("plant"), db_index=True)
    work_centre_type = models.CharField(_("work-centre type"), max_length=40)
    count = models.PositiveIntegerField(_("count"), validators=[MinValueValidator(1)])
    hours_per_day = models.DecimalField(
        _("hours per day"),
        max_digits=4,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(24)],
        help_text=_("Hours each machine or station works on a working day (up to 24)."),
    )
    efficiency = models.DecimalField(
        _("efficiency"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal("1.5"))],
        help_text=_("1.00: standard times hold; 0.85: 15 % slower; 1.10: 10 % faster."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["plant_id", "work_centre_type"]
        verbose_name = _("work centre")
        verbose_name_plural = _("work centres")
        constraints = [
            models.UniqueConstraint(
                fields=["plant_id", "work_centre_type"], name="work_centre_type_unique_per_plant"
            ),
            models.CheckConstraint(condition=Q(count__gte=1), name="work_centre_count_positive"),
            models.CheckConstraint(
                condition=Q(hours_per_day__gt=0, hours_per_day__lte=24),
                name="work_centre_hours_within_day",
            ),
            models.CheckConstraint(
                condition=Q(efficiency__gte=Decimal("0.1"), efficiency__lte=Decimal("1.5")),
                name="work_centre_efficiency_range",
            ),
        ]

    def __str__(self):
        return f"{self.work_centre_type} × {self.count}"

    @property
    def hours_per_week(self) -> Decimal:
        """Effective hours in a five-day week: count × hours per day × 5 × efficiency."""
        return self.count * self.hours_per_day * 5 * self.efficiency


class PlantCapability(models.Model):
    plant_id = models.BigIntegerField(_("plant"), db_index=True)
    name = models.CharField(
        _("capability"),
        max_length=60,
        help_text=_("As routings name it, e.g. 5-axis, cleanroom, MIG."),
    )

    class Meta:
        ordering = ["plant_id", "name"]
        verbose_name = _("capability")
        verbose_name_plural = _("capabilities")
        constraints = [
            models.UniqueConstraint(fields=["plant_id", "name"], name="capability_unique_per_plant")
        ]

    def __str__(self):
        return self.name


class Downtime(models.Model):
    """Planned downtime: the plant makes nothing from `start` to `end`, both included."""

    plant_id = models.BigIntegerField(_("plant"), db_index=True)
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        ordering = ["plant_id", "start"]
        verbose_name = _("planned downtime")
        verbose_name_plural = _("planned downtimes")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")), name="downtime_ends_after_start"
            )
        ]

    def __str__(self):
        return f"{self.start:%Y-%m-%d}–{self.end:%Y-%m-%d} {self.reason}"
