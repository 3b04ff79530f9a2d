"""What the hub keeps of quality (public schema).

Read models of the network ledger: what partners publish (quality.publish) is
appended as ledger events with only what their data-sharing agreement releases
(summaries by default, never raw measurements), and the projectors in
`quality.hub.projectors` keep these rows from them, in the same transaction. The
hub's network view reads these rows, not partner schemas.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenants.models import Partner


class WorkOrderQuality(models.Model):
    """Inspection counts of one work order, as published by its partner."""

    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="+"
    )
    work_order_number = models.CharField(_("work order"), max_length=30)
    order_number = models.CharField(_("network order"), max_length=20)
    product_code = models.CharField(_("product"), max_length=40)
    revision = models.CharField(_("revision"), max_length=10)
    pieces_inspected = models.PositiveIntegerField(_("pieces inspected"), default=0)
    pieces_conforming = models.PositiveIntegerField(_("pieces conforming"), default=0)
    # First-pass yield counts each piece (serial, or sample/piece) at its first inspection.
    first_pass_inspected = models.PositiveIntegerField(_("first inspections"), default=0)
    first_pass_conforming = models.PositiveIntegerField(_("passed first time"), default=0)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)  # the event's time

    class Meta:
        ordering = ["partner", "work_order_number"]
        verbose_name = _("work order quality")
        verbose_name_plural = _("work order quality")
        constraints = [
            models.UniqueConstraint(fields=["partner", "work_order_number"], name="wo_quality_once")
        ]

    def __str__(self):
        return f"{self.partner}: {self.work_order_number}"


class CharacteristicCapability(models.Model):
    """Cp/Cpk of one characteristic at one partner, as published."""

    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="+"
    )
    product_code = models.CharField(_("product"), max_length=40)
    revision = models.CharField(_("revision"), max_length=10)
    characteristic_id = models.BigIntegerField(_("characteristic (hub id)"))
    name = models.CharField(_("characteristic"), max_length=100)
    sample_size = models.PositiveIntegerField(_("values"), default=0)
    cp = models.FloatField(_("Cp"), null=True, blank=True)
    cpk = models.FloatField(_("Cpk"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)  # the event's time

    class Meta:
        ordering = ["partner", "product_code", "name"]
        verbose_name = _("characteristic capability")
        verbose_name_plural = _("characteristic capabilities")
        constraints = [
            models.UniqueConstraint(fields=["partner", "characteristic_id"], name="capability_once")
        ]

    def __str__(self):
        return f"{self.partner}: {self.name} Cpk {self.cpk}"


class NcrSummary(models.Model):
    """One partner NCR as the hub sees it: no description, no photos."""

    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField(_("NCR"), max_length=20)
    work_order_number = models.CharField(_("work order"), max_length=30)
    order_number = models.CharField(_("network order"), max_length=20)
    product_code = models.CharField(_("product"), max_length=40)
    revision = models.CharField(_("revision"), max_length=10)
    defect_code = models.CharField(_("defect"), max_length=16)
    quantity = models.PositiveIntegerField(_("quantity affected"))
    status = models.CharField(_("status"), max_length=20)
    disposition = models.CharField(_("disposition"), max_length=10, blank=True)
    opened_at = models.DateTimeField(_("opened"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("NCR summary")
        verbose_name_plural = _("NCR summaries")
        constraints = [
            models.UniqueConstraint(fields=["partner", "number"], name="ncr_summary_once")
        ]

    def __str__(self):
        return f"{self.partner}: {self.number}"


class UseAsIsRequest(models.Model):
    """A partner asks the hub to accept non-conforming parts as they are. The
    request reaches the hub whatever the sharing agreement says: it is a request,
    and what it carries is what the partner chose to send with it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="+"
    )
    ncr_number = models.CharField(_("NCR"), max_length=20)
    work_order_number = models.CharField(_("work order"), max_length=30)
    order_number = models.CharField(_("network order"), max_length=20)
    product_code = models.CharField(_("product"), max_length=40)
    revision = models.CharField(_("revision"), max_length=10)
    defect_code = models.CharField(_("defect"), max_length=16)
    quantity = models.PositiveIntegerField(_("quantity affected"))
    description = models.TextField(_("description"))
    justification = models.TextField(_("justification"))
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)  # the event's
    requested_by_label = models.CharField(_("requested by"), max_length=254)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    note = models.TextField(_("decision note"), blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        verbose_name = _("use-as-is request")
        verbose_name_plural = _("use-as-is requests")
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "ncr_number"],
                condition=models.Q(status="pending"),
                name="one_pending_use_as_is_per_ncr",
            )
        ]

    def __str__(self):
        return f"{self.partner}: {self.ncr_number} ({self.get_status_display()})"


class IssuedDocument(models.Model):
    """The network's register of compliance documents partners issue, so that a
    copy can be checked against the portal by its number and SHA-256."""

    class Kind(models.TextChoices):
        CERTIFICATE = "coc", _("Certificate of conformance")

    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    number = models.CharField(_("document number"), max_length=40, unique=True)
    work_order_number = models.CharField(_("work order"), max_length=30)
    order_number = models.CharField(_("network order"), max_length=20)
    content_sha256 = models.CharField(_("SHA-256 of the content"), max_length=64)
    pdf_sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64)
    issued_at = models.DateTimeField(_("issued"))
    signatory_label = models.CharField(_("signatory"), max_length=254)

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("issued document")
        verbose_name_plural = _("issued documents")

    def __str__(self):
        return self.number
