"""A partner's quality records, in its own schema.

Inspection characteristics are hub data (`orders_hub.InspectionCharacteristic`,
frozen with their released revision); a measurement refers to one by plain id
and keeps a copy of its name, kind, limits and unit, so that the record reads
the same whatever happens on the hub. Users live in the public schema: they are
referred to by id and the name they had at the time, never by foreign key.
"""

import uuid

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from orders.partner.models import Shipment, WorkOrder, WorkOrderOperation


class InspectionRecord(models.Model):
    """One inspected piece: every characteristic of one operation measured on it.

    Pieces taken together at one time form a sample (`sample`, numbered per
    operation); SPC takes each sample as a subgroup."""

    class Source(models.TextChoices):
        FORM = "form", _("Entered by hand")
        CSV = "csv", _("Imported from a CSV file")
        FIRST_ARTICLE = "fai", _("First article inspection")

    work_order = models.ForeignKey(
        WorkOrder,
        verbose_name=_("work order"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    operation = models.ForeignKey(
        WorkOrderOperation,
        verbose_name=_("operation"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    sample = models.PositiveIntegerField(_("sample"), validators=[MinValueValidator(1)])
    piece = models.PositiveIntegerField(_("piece"), default=1, validators=[MinValueValidator(1)])
    serial = models.CharField(_("serial number"), max_length=60, blank=True)
    instrument = models.CharField(_("instrument"), max_length=100)
    inspected_at = models.DateTimeField(_("inspected"))
    inspector_id = models.BigIntegerField(_("inspector (user id)"))
    inspector_label = models.CharField(_("inspector"), max_length=254)
    source = models.CharField(
        _("source"), max_length=8, choices=Source.choices, default=Source.FORM
    )
    first_article = models.ForeignKey(
        "FirstArticle",
        verbose_name=_("first article inspection"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="records",
    )
    conforming = models.BooleanField(_("conforming"))
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["work_order", "operation", "sample", "piece", "id"]
        verbose_name = _("inspection record")
        verbose_name_plural = _("inspection records")
        indexes = [models.Index(fields=["inspected_at"], name="inspection_inspected_at")]

    def __str__(self):
        return f"{self.work_order} op {self.operation.sequence} sample {self.sample}/{self.piece}"


class Measurement(models.Model):
    """One characteristic on one piece: a value, or pass/fail for an attribute."""

    class Kind(models.TextChoices):
        VARIABLE = "variable", _("Measured value")
        ATTRIBUTE = "attribute", _("Pass/fail")

    record = models.ForeignKey(
        InspectionRecord,
        verbose_name=_("inspection record"),
        on_delete=models.CASCADE,
        related_name="measurements",
    )
    characteristic_id = models.BigIntegerField(_("characteristic (hub id)"))
    name = models.CharField(_("characteristic"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
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
    value = models.DecimalField(
        _("measured value"), max_digits=14, decimal_places=6, null=True, blank=True
    )
    passed = models.BooleanField(_("pass"), null=True, blank=True)
    conforming = models.BooleanField(_("in tolerance"))

    class Meta:
        ordering = ["record", "id"]
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        constraints = [
            models.UniqueConstraint(
                fields=["record", "characteristic_id"], name="measurement_once_per_piece"
            ),
            models.CheckConstraint(
                condition=Q(kind="variable", value__isnull=False, passed__isnull=True)
                | Q(kind="attribute", value__isnull=True, passed__isnull=False),
                name="measurement_value_matches_kind",
            ),
        ]
        indexes = [models.Index(fields=["characteristic_id"], name="measurement_characteristic")]

    def __str__(self):
        shown = self.value if self.kind == self.Kind.VARIABLE else self.passed
        return f"{self.name}: {shown}"


class FirstArticle(models.Model):
    """First article inspection (AS9102 style) of a work order that is the
    partner's first production of a product revision: every characteristic of
    the revision measured on the first piece."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PASSED = "passed", _("Passed")
        FAILED = "failed", _("Failed")

    work_order = models.OneToOneField(
        WorkOrder,
        verbose_name=_("work order"),
        on_delete=models.PROTECT,
        related_name="first_article",
    )
    product_code = models.CharField(_("product"), max_length=40)
    revision = models.CharField(_("revision"), max_length=10)
    serial = models.CharField(_("serial number of the first piece"), max_length=60)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    inspector_id = models.BigIntegerField(_("inspector (user id)"))
    inspector_label = models.CharField(_("inspector"), max_length=254)

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("first article inspection")
        verbose_name_plural = _("first article inspections")

    def __str__(self):
        return f"FAI {self.product_code} rev {self.revision} ({self.work_order})"


class NonConformance(models.Model):
    """A non-conformance report (NCR) and its disposition."""

    class DefectCode(models.TextChoices):
        DIMENSIONAL = "dimensional", _("Dimension out of tolerance")
        SURFACE = "surface", _("Surface finish or appearance")
        MATERIAL = "material", _("Wrong or defective material")
        WELD = "weld", _("Weld defect")
        HEAT_TREAT = "heat_treat", _("Heat treatment out of specification")
        DAMAGE = "damage", _("Handling or transport damage")
        DOCUMENTATION = "documentation", _("Missing or wrong documentation")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        AWAITING_APPROVAL = "awaiting_approval", _("Awaiting hub approval")
        DISPOSITIONED = "dispositioned", _("Dispositioned")
        CLOSED = "closed", _("Closed")

    class Disposition(models.TextChoices):
        REWORK = "rework", _("Rework")
        SCRAP = "scrap", _("Scrap")
        USE_AS_IS = "use_as_is", _("Use as is")
        RETURN = "return", _("Return to supplier")

    class Approval(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    number = models.CharField(_("NCR"), max_length=20, unique=True)
    work_order = models.ForeignKey(
        WorkOrder,
        verbose_name=_("work order"),
        on_delete=models.PROTECT,
        related_name="nonconformances",
    )
    operation = models.ForeignKey(
        WorkOrderOperation,
        verbose_name=_("operation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    measurement = models.ForeignKey(
        Measurement,
        verbose_name=_("out-of-tolerance measurement"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="nonconformances",
    )
    defect_code = models.CharField(_("defect"), max_length=16, choices=DefectCode.choices)
    quantity = models.PositiveIntegerField(
        _("quantity affected"), validators=[MinValueValidator(1)]
    )
    lot = models.CharField(_("lot"), max_length=60, blank=True)
    description = models.TextField(_("description"))
    containment = models.TextField(_("containment"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    disposition = models.CharField(
        _("disposition"), max_length=10, choices=Disposition.choices, blank=True
    )
    disposition_note = models.TextField(_("disposition notes"), blank=True)
    dispositioned_at = models.DateTimeField(_("dispositioned"), null=True, blank=True)
    dispositioned_by_label = models.CharField(_("dispositioned by"), max_length=254, blank=True)
    approval = models.CharField(
        _("hub approval"), max_length=10, choices=Approval.choices, blank=True
    )
    approval_by_label = models.CharField(_("decided by (hub)"), max_length=254, blank=True)
    approval_at = models.DateTimeField(_("decided"), null=True, blank=True)
    approval_note = models.TextField(_("hub's note"), blank=True)
    raised_at = models.DateTimeField(_("raised"), auto_now_add=True)
    raised_by_id = models.BigIntegerField(_("raised by (user id)"))
    raised_by_label = models.CharField(_("raised by"), max_length=254)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by_label = models.CharField(_("closed by"), max_length=254, blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name = _("non-conformance report")
        verbose_name_plural = _("non-conformance reports")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="ncr_quantity_positive"),
            models.CheckConstraint(
                condition=Q(status__in=["open"]) | ~Q(disposition=""),
                name="ncr_disposition_once_past_open",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_at__isnull=False),
                name="ncr_closed_has_date",
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CLOSED


class Capa(models.Model):
    """Corrective and preventive action for an NCR, worked through the eight
    disciplines (8D), each step with an owner, a due date and evidence."""

    ncr = models.OneToOneField(
        NonConformance, verbose_name=_("NCR"), on_delete=models.PROTECT, related_name="capa"
    )
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    opened_by_label = models.CharField(_("opened by"), max_length=254)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("CAPA")
        verbose_name_plural = _("CAPAs")

    def __str__(self):
        return f"CAPA {self.ncr.number}"


class CapaStep(models.Model):
    class Step(models.IntegerChoices):
        TEAM = 1, _("D1 Team")
        PROBLEM = 2, _("D2 Problem description")
        CONTAINMENT = 3, _("D3 Containment")
        ROOT_CAUSE = 4, _("D4 Root cause")
        CORRECTIVE_ACTION = 5, _("D5 Corrective action")
        VERIFICATION = 6, _("D6 Verification")
        PREVENTION = 7, _("D7 Prevention")
        CLOSURE = 8, _("D8 Closure")

    capa = models.ForeignKey(
        Capa, verbose_name=_("CAPA"), on_delete=models.CASCADE, related_name="steps"
    )
    step = models.PositiveSmallIntegerField(_("step"), choices=Step.choices)
    owner = models.CharField(_("owner"), max_length=254)
    due_date = models.DateField(_("due date"))
    notes = models.TextField(_("what was done"), blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    completed_by_label = models.CharField(_("completed by"), max_length=254, blank=True)

    class Meta:
        ordering = ["capa", "step"]
        verbose_name = _("8D step")
        verbose_name_plural = _("8D steps")
        constraints = [
            models.UniqueConstraint(fields=["capa", "step"], name="capa_step_once"),
            models.CheckConstraint(condition=Q(step__gte=1, step__lte=8), name="capa_step_1_to_8"),
        ]

    def __str__(self):
        return self.get_step_display()


def attachment_upload_to(instance, filename):
    # Generated names only: the user's file name is kept as data, never as a path.
    # The storage is tenant-aware, so files land under this partner's own folder.
    return f"quality/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A photo or document attached to an NCR (or to one of its 8D steps).
    Checked by content at upload, served only as a download through a view that
    checks tenant and permission."""

    ncr = models.ForeignKey(
        NonConformance,
        verbose_name=_("NCR"),
        on_delete=models.PROTECT,
        related_name="attachments",
    )
    capa_step = models.ForeignKey(
        CapaStep,
        verbose_name=_("8D step"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to=attachment_upload_to, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by_id = models.BigIntegerField(_("uploaded by (user id)"))
    uploaded_by_label = models.CharField(_("uploaded by"), max_length=254)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type in ("image/png", "image/jpeg")


class Certificate(models.Model):
    """A certificate of conformance issued for one shipment. `content_sha256` is
    the SHA-256 of the certified content (printed on the document); `pdf_sha256`
    that of the PDF file as issued. Both are also registered with the hub."""

    shipment = models.OneToOneField(
        Shipment,
        verbose_name=_("shipment"),
        on_delete=models.PROTECT,
        related_name="certificate",
    )
    number = models.CharField(_("document number"), max_length=40, unique=True)
    content = models.JSONField(_("certified content"))
    content_sha256 = models.CharField(_("SHA-256 of the content"), max_length=64)
    pdf = models.FileField(_("PDF"), upload_to="certificates/", max_length=200)
    pdf_sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64)
    signatory_id = models.BigIntegerField(_("signatory (user id)"))
    signatory_label = models.CharField(_("signatory"), max_length=254)
    signatory_title = models.CharField(_("signatory's title"), max_length=100)
    issued_at = models.DateTimeField(_("issued"))

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("certificate of conformance")
        verbose_name_plural = _("certificates of conformance")

    def __str__(self):
        return self.number


class MeasurementAccess(models.Model):
    """A time-boxed grant for one named hub user to read this partner's raw
    measurements. The guardian object permission `read_measurements` on the
    grant (kept in this schema) is what the check looks for, and it counts only
    until `expires_at` and while the grant is not revoked."""

    user_id = models.BigIntegerField(_("hub user (id)"))
    user_label = models.CharField(_("hub user"), max_length=254)
    reason = models.CharField(_("reason"), max_length=300)
    expires_at = models.DateTimeField(_("expires"))
    granted_at = models.DateTimeField(_("granted"), auto_now_add=True)
    granted_by_label = models.CharField(_("granted by"), max_length=254)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-granted_at"]
        verbose_name = _("measurement access")
        verbose_name_plural = _("measurement accesses")
        permissions = [
            ("read_measurements", _("May read raw measurements while the grant runs")),
        ]

    def __str__(self):
        return f"{self.user_label} until {self.expires_at:%Y-%m-%d %H:%M}"


class DocumentRender(models.Model):
    """A compliance PDF (quality dossier, first article report) rendered in the
    background: its progress for the page that waits, then the file to download."""

    class Kind(models.TextChoices):
        DOSSIER = "dossier", _("Quality dossier")
        FIRST_ARTICLE = "fai", _("First article inspection report")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Rendering")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("document"), max_length=8, choices=Kind.choices)
    work_order = models.ForeignKey(
        WorkOrder,
        verbose_name=_("work order"),
        on_delete=models.CASCADE,
        related_name="document_renders",
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    stage = models.CharField(_("stage"), max_length=100, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    pdf = models.FileField(_("PDF"), upload_to="renders/", max_length=200, blank=True)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    requested_by_id = models.BigIntegerField(_("requested by (user id)"))
    requested_by_label = models.CharField(_("requested by"), max_length=254)
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("document rendering")
        verbose_name_plural = _("document renderings")
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="document_render_progress_percent"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.work_order}"
