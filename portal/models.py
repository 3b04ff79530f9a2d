"""Cross-cutting data in the public schema: users, the append-only audit log,
the network ledger and the API's idempotency records."""

import functools
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from .vocabulary import audit_action_choices, ledger_kind_choices


@functools.cache
def timezone_choices() -> list[tuple[str, str]]:
    """The IANA time zones (Area/Location). A callable, so that migrations refer to
    it instead of freezing the list of the day."""
    return sorted((tz, tz) for tz in zoneinfo.available_timezones() if "/" in tz)


class User(AbstractUser):
    """A person; global to the network. Memberships say where they may act."""

    email = models.EmailField(_("e-mail address"), unique=True)
    timezone = models.CharField(
        _("time zone"),
        max_length=64,
        choices=timezone_choices,
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
    action = models.CharField(_("what"), max_length=40, choices=audit_action_choices, db_index=True)
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

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    partner = models.ForeignKey(
        "tenants.Partner", verbose_name=_("partner"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("event"), max_length=40, choices=ledger_kind_choices)
    order_number = models.CharField(_("network order"), max_length=20, blank=True, db_index=True)
    work_order_number = models.CharField(_("work order"), max_length=30, blank=True, db_index=True)
    actor_label = models.CharField(_("who"), max_length=254, blank=True)
    payload = models.JSONField(_("released data"), default=dict)
    # Which sharing group each released field came from: {"status": ["status"], ...}, so
    # that a rebuild can leave out what the agreement in force no longer releases.
    groups = models.JSONField(_("released groups"), default=dict, blank=True)

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

    def released_payload(self, releases) -> dict:
        """The payload less the fields of groups that are not in `releases`."""
        keep = {name for group, names in self.groups.items() if group in releases for name in names}
        return {name: value for name, value in self.payload.items() if name in keep}


class IdempotencyRecord(models.Model):
    """The first response to a write sent with an `Idempotency-Key`, per partner."""

    class State(models.TextChoices):
        IN_FLIGHT = "in_flight", _("In flight")
        DONE = "done", _("Done")

    partner = models.ForeignKey(
        "tenants.Partner", verbose_name=_("partner"), on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(_("idempotency key"), max_length=255)
    fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True)
    response_body = models.JSONField(_("response body"), null=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        # Moved from integrations without copying rows: the table keeps its name.
        db_table = "integrations_idempotencyrecord"
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [
            models.UniqueConstraint(fields=["partner", "key"], name="idempotency_key_per_partner")
        ]

    def __str__(self):
        return self.key
