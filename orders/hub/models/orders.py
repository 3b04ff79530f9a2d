"""Network orders and their dispatches: the hub's record of what customers ordered
and where it went, with the status and quantities projected from the ledger."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tenants.models import Partner, Plant

from .products import ProductRevision


class NetworkOrder(models.Model):
    """A customer's order to the network, before and after it is dispatched."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        DISPATCHED = "dispatched", _("Dispatched")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        IN_PROGRESS = "in_progress", _("In progress")
        SHIPPED = "shipped", _("Shipped")

    class Priority(models.IntegerChoices):
        LOW = 1, _("Low")
        NORMAL = 2, _("Normal")
        HIGH = 3, _("High")
        URGENT = 4, _("Urgent")

    number = models.CharField(_("order number"), max_length=20, unique=True)
    customer_reference = models.CharField(_("customer reference"), max_length=60)
    revision = models.ForeignKey(
        ProductRevision,
        verbose_name=_("product revision"),
        on_delete=models.PROTECT,
        related_name="orders",
    )
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    due_date = models.DateField(_("due date"))
    ship_to_name = models.CharField(_("ship to"), max_length=200)
    ship_to_latitude = models.DecimalField(
        _("ship-to latitude"),
        max_digits=8,
        decimal_places=5,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    ship_to_longitude = models.DecimalField(
        _("ship-to longitude"),
        max_digits=8,
        decimal_places=5,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    export_controlled = models.BooleanField(_("export-controlled"), default=False)
    split_min_lot = models.PositiveIntegerField(
        _("split: minimum lot"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Planning may split the order, each part at least this many units. Empty: one plant."
        ),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # The projection over live (not rejected) dispatches, kept by
    # `orders.hub.projectors` from the ledger, in the transaction of each change,
    # so that the board reads one row per order instead of summing dispatches.
    good_quantity = models.PositiveIntegerField(_("good"), default=0)
    shipped_quantity = models.PositiveIntegerField(_("shipped"), default=0)
    percent_complete = models.PositiveSmallIntegerField(_("% complete"), default=0)

    class Meta:
        ordering = ["due_date", "number"]
        verbose_name = _("network order")
        verbose_name_plural = _("network orders")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="order_quantity_positive")
        ]
        indexes = [models.Index(fields=["due_date", "number"], name="order_board_due")]

    def __str__(self):
        return self.number


class Dispatch(models.Model):
    """The hub's record of a work order sent to a partner plant, and its
    projection: kept current from the ledger, never read from the partner."""

    class Status(models.TextChoices):
        DISPATCHED = "dispatched", _("Dispatched")
        ACCEPTED = "accepted", _("Accepted")
        COUNTER_PROPOSED = "counter_proposed", _("Counter-proposed")
        REJECTED = "rejected", _("Rejected")
        IN_PROGRESS = "in_progress", _("In progress")
        SHIPPED = "shipped", _("Shipped")

    order = models.ForeignKey(
        NetworkOrder, verbose_name=_("order"), on_delete=models.PROTECT, related_name="dispatches"
    )
    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="dispatches"
    )
    plant = models.ForeignKey(
        Plant, verbose_name=_("plant"), on_delete=models.PROTECT, related_name="dispatches"
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    work_order_number = models.CharField(_("work order"), max_length=30, unique=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=Status.choices,
        default=Status.DISPATCHED,
        db_index=True,
    )
    dispatched_at = models.DateTimeField(_("dispatched"))
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dispatched by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    promised_date = models.DateField(_("promised date"), null=True, blank=True)
    good_quantity = models.PositiveIntegerField(_("good quantity (last operation)"), default=0)
    shipped_quantity = models.PositiveIntegerField(_("shipped"), default=0)
    percent_complete = models.PositiveSmallIntegerField(_("% complete"), default=0)

    class Meta:
        ordering = ["-dispatched_at"]
        verbose_name = _("dispatch")
        verbose_name_plural = _("dispatches")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="dispatch_quantity_positive")
        ]

    def __str__(self):
        return self.work_order_number
