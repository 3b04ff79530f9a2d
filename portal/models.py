"""Cross-cutting data in the public schema: users and the append-only audit log."""

import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

TIMEZONE_CHOICES = sorted((tz, tz) for tz in zoneinfo.available_timezones() if "/" in tz)


class User(AbstractUser):
    """A person; global to the network. Memberships say where they may act."""

    email = models.EmailField(_("e-mail address"), unique=True)
    timezone = models.CharField(
        _("time zone"),
        max_length=64,
        choices=TIMEZONE_CHOICES,
        default="UTC",
        help_text=_("Times are shown in this time zone."),
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.get_full_name() or self.username


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditLogIsAppendOnly(_("This log is append-only: entries cannot be changed."))

    def delete(self):
        raise AuditLogIsAppendOnly(_("This log is append-only: entries cannot be deleted."))


class AuditLogIsAppendOnly(Exception):
    pass


class AuditEntry(models.Model):
    """One thing that happened: who, what, on which partner's data, why, when.

    Append-only: the model refuses updates and deletes, and a database trigger
    (migration 0002) refuses them for any client that bypasses the ORM.
    """

    class Action(models.TextChoices):
        SIGN_IN = "auth.sign_in", _("Signed in")
        SIGN_IN_FAILED = "auth.sign_in_failed", _("Sign-in failed")
        SIGN_OUT = "auth.sign_out", _("Signed out")
        LOCKED_OUT = "auth.locked_out", _("Locked out")
        PASSWORD_CHANGED = "auth.password_changed", _("Password changed")
        PARTNER_PROVISIONED = "partner.provisioned", _("Partner provisioned")
        PARTNER_PROVISION_FAILED = "partner.provision_failed", _("Partner provisioning failed")
        PARTNER_STATUS_CHANGED = "partner.status_changed", _("Partner status changed")
        PLANT_ADDED = "plant.added", _("Plant added")
        CERTIFICATION_ADDED = "certification.added", _("Certification added")
        MEMBERSHIP_CREATED = "membership.created", _("Membership created")
        MEMBERSHIP_CHANGED = "membership.changed", _("Membership changed")
        MEMBERSHIP_REMOVED = "membership.removed", _("Membership removed")
        USER_INVITED = "user.invited", _("User invited")
        SCHEMA_ENTERED = "schema.entered", _("Hub entered a partner schema")
        FILE_UPLOADED = "file.uploaded", _("File uploaded")
        FILE_DOWNLOADED = "file.downloaded", _("File downloaded")
        PERMISSION_GRANTED = "permission.granted", _("Object permission granted")
        PERMISSION_REVOKED = "permission.revoked", _("Object permission revoked")
        ORDER_DISPATCHED = "order.dispatched", _("Order dispatched")
        PRODUCT_RELEASED = "product.released", _("Product revision released")
        PRODUCT_IMPORTED = "product.imported", _("Product definitions imported")
        API_KEY_ISSUED = "api_key.issued", _("API key issued")
        SHARING_CHANGED = "sharing.changed", _("Data-sharing agreement changed")
        API_KEY_REVOKED = "api_key.revoked", _("API key revoked")
        CAPACITY_DECLARED = "capacity.declared", _("Capacity declaration changed")
        PLANT_COST_CHANGED = "plant_cost.changed", _("Plant cost model changed")
        PLAN_STARTED = "plan.started", _("Plan started")
        PLAN_CANCELLED = "plan.cancelled", _("Plan cancelled")
        PLAN_APPROVED = "plan.approved", _("Plan approved and dispatched")
        USE_AS_IS_DECIDED = "quality.use_as_is_decided", _("Use-as-is request decided")
        CERTIFICATE_ISSUED = "quality.certificate_issued", _("Certificate of conformance issued")

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # What the actor was called at the time, kept if the user is renamed or removed.
    actor_label = models.CharField(_("who (as recorded)"), max_length=254, blank=True)
    action = models.CharField(_("what"), max_length=40, choices=Action.choices, db_index=True)
    partner = models.ForeignKey(
        "tenants.Partner",
        verbose_name=_("partner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    schema_name = models.CharField(_("schema"), max_length=63, blank=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    reason = models.CharField(_("why"), max_length=500, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["partner", "-at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AuditLogIsAppendOnly(_("Audit entries cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogIsAppendOnly(_("Audit entries cannot be deleted."))


class LedgerEvent(models.Model):
    """The network ledger: what partners publish to the hub.

    Appended in the same transaction as the partner-side change, holding only
    the fields the partner's data-sharing agreement releases. Hub pages read
    the ledger (and the projections kept from it), never partner schemas.
    """

    class Kind(models.TextChoices):
        DISPATCHED = "dispatched", _("Dispatched")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        COUNTER_PROPOSED = "counter_proposed", _("Counter-proposed")
        COUNTER_APPROVED = "counter_approved", _("Counter-proposal approved")
        COUNTER_DECLINED = "counter_declined", _("Counter-proposal declined")
        PROGRESS = "progress", _("Progress reported")
        SHIPPED = "shipped", _("Shipped")

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    partner = models.ForeignKey(
        "tenants.Partner", verbose_name=_("partner"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    order_number = models.CharField(_("network order"), max_length=20, db_index=True)
    work_order_number = models.CharField(_("work order"), max_length=30, db_index=True)
    actor_label = models.CharField(_("who"), max_length=254, blank=True)
    payload = models.JSONField(_("released data"), default=dict)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("ledger event")
        verbose_name_plural = _("ledger events")

    def __str__(self):
        return f"{self.work_order_number} {self.kind}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AuditLogIsAppendOnly(_("Ledger events cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogIsAppendOnly(_("Ledger events cannot be deleted."))
