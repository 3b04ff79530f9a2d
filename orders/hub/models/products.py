"""Product definitions and network orders: the hub's data, in the public schema."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from tenants.models import Certification, Partner, Plant


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


# --- Planning inputs the hub keeps, and plans ----------------------------------------------


class PlantCapacity(models.Model):
    """The hub's copy of a plant's capacity declaration: the partner declares its
    work centres, capabilities and downtime on its own host, and what the sharing
    agreement releases arrives here (`orders.partner.capacity.capacity_publish`)."""

    plant = models.OneToOneField(
        Plant, verbose_name=_("plant"), on_delete=models.CASCADE, related_name="capacity"
    )
    # [{"type": "cnc_mill", "count": 3, "hours_per_day": 16, "efficiency": 0.85}, ...]
    work_centres = models.JSONField(_("work centres"), default=list, blank=True)
    capabilities = models.JSONField(_("capabilities"), default=list, blank=True)
    # [{"start": "2026-12-24", "end": "2027-01-01", "reason": "Holidays"}, ...]
    downtime = models.JSONField(_("planned downtime"), default=list, blank=True)
    declared_at = models.DateTimeField(_("declared"))
    declared_by_label = models.CharField(_("declared by"), max_length=254, blank=True)

    class Meta:
        verbose_name = _("plant capacity")
        verbose_name_plural = _("plant capacities")

    def __str__(self):
        return f"{self.plant} capacity"


class PlantCost(models.Model):
    """The hub's cost model of one plant (negotiated rates are hub data)."""

    plant = models.OneToOneField(
        Plant, verbose_name=_("plant"), on_delete=models.CASCADE, related_name="cost"
    )
    setup_cost = models.DecimalField(
        _("setup cost per order"),
        max_digits=12,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    material_cost_factor = models.DecimalField(
        _("material cost factor"),
        max_digits=5,
        decimal_places=3,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(10)],
        help_text=_("1.000: the product's standard material cost; 1.100: 10 % more."),
    )
    freight_per_unit_km = models.DecimalField(
        _("freight per unit and km"),
        max_digits=10,
        decimal_places=5,
        default=0,
        validators=[MinValueValidator(0)],
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("plant cost model")
        verbose_name_plural = _("plant cost models")

    def __str__(self):
        return f"{self.plant} costs"


class WorkCentreRate(models.Model):
    plant = models.ForeignKey(
        Plant, verbose_name=_("plant"), on_delete=models.CASCADE, related_name="hourly_rates"
    )
    work_centre_type = models.CharField(_("work-centre type"), max_length=40)
    hourly_rate = models.DecimalField(
        _("rate per hour"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )

    class Meta:
        ordering = ["plant", "work_centre_type"]
        verbose_name = _("hourly rate")
        verbose_name_plural = _("hourly rates")
        constraints = [
            models.UniqueConstraint(
                fields=["plant", "work_centre_type"], name="work_centre_rate_unique"
            )
        ]

    def __str__(self):
        return f"{self.plant.code} {self.work_centre_type}: {self.hourly_rate}"


class FreightLane(models.Model):
    """A negotiated freight rate from a plant to a destination country, which
    replaces the distance-based rate."""

    plant = models.ForeignKey(
        Plant, verbose_name=_("plant"), on_delete=models.CASCADE, related_name="freight_lanes"
    )
    destination_country = CountryField(_("destination country"))
    freight_per_unit = models.DecimalField(
        _("freight per unit"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )

    class Meta:
        ordering = ["plant", "destination_country"]
        verbose_name = _("freight lane")
        verbose_name_plural = _("freight lanes")
        constraints = [
            models.UniqueConstraint(
                fields=["plant", "destination_country"], name="freight_lane_unique"
            )
        ]

    def __str__(self):
        return f"{self.plant.code} → {self.destination_country}"


class PlanRun(models.Model):
    """One solve, kept with its inputs and its result so that an auditor can see
    months later why an order went where it did."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        NO_SOLUTION = "no_solution", _("No plan found")
        CANCELLED = "cancelled", _("Cancelled")
        FAILED = "failed", _("Failed")

    class Kind(models.TextChoices):
        PLAN = "plan", _("Plan")
        WHAT_IF = "what_if", _("What-if")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PLAN)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    base = models.ForeignKey(
        "self",
        verbose_name=_("compared with"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="what_ifs",
    )
    # What-if: {"plants_down": [{"plant": id, "start": iso, "end": iso}],
    #           "partners_suspended": [id]}
    scenario = models.JSONField(_("scenario"), default=dict, blank=True)
    time_limit = models.PositiveIntegerField(
        _("time limit (s)"), default=30, validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    problem = models.JSONField(_("inputs"))  # orders.planning.jsonio.problem_to_json
    plan = models.JSONField(_("result"), null=True, blank=True)  # plan_to_json
    greedy = models.JSONField(_("greedy baseline"), null=True, blank=True)
    # Live progress, written by the task: {"elapsed": s, "objective": x, "best_bound": y, "gap": g}
    progress = models.JSONField(_("progress"), default=dict, blank=True)
    cancel_requested = models.BooleanField(_("cancel requested"), default=False)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")

    def __str__(self):
        return _("Plan %(id)s") % {"id": self.pk}
