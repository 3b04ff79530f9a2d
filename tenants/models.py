"""The partner registry, in the hub's public schema.

A Partner is a django-tenants tenant: it owns one PostgreSQL schema. The hub
itself is the tenant row whose schema is `public`.
"""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from django_tenants.models import DomainMixin, TenantMixin
from django_tenants.utils import get_public_schema_name

from portal.models import timezone_choices

EXPIRY_WARNING_DAYS = 30


class PartnerQuerySet(models.QuerySet):
    def partners(self):
        """Every partner, without the hub's own row."""
        return self.exclude(schema_name=get_public_schema_name())


class Partner(TenantMixin):
    class Status(models.TextChoices):
        ONBOARDING = "onboarding", _("Onboarding")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")

    slug = models.SlugField(_("slug"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)
    country = CountryField(_("country"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ONBOARDING
    )
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    # Provisioning creates the schema itself (clone or migrate, in one transaction).
    auto_create_schema = False
    auto_drop_schema = False

    objects = PartnerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")

    def __str__(self):
        return self.name

    @property
    def is_hub(self) -> bool:
        return self.schema_name == get_public_schema_name()

    def host(self) -> str:
        return f"{self.slug}.{settings.BASE_DOMAIN}" if not self.is_hub else settings.BASE_DOMAIN

    def url(self, path: str = "/") -> str:
        port = f":{settings.DMN_PUBLIC_PORT}" if settings.DMN_PUBLIC_PORT else ""
        return f"{settings.DMN_PUBLIC_SCHEME}://{self.host()}{port}{path}"


class Domain(DomainMixin):
    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")


class Plant(models.Model):
    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.CASCADE, related_name="plants"
    )
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = CountryField(_("country"))
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=5,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=8,
        decimal_places=5,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    timezone = models.CharField(_("time zone"), max_length=64, choices=timezone_choices)

    class Meta:
        ordering = ["partner__name", "name"]
        verbose_name = _("plant")
        verbose_name_plural = _("plants")
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "code"], name="plant_code_unique_per_partner"
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.get_country_display()})"


class Certification(models.Model):
    class Standard(models.TextChoices):
        ISO_9001 = "iso9001", _("ISO 9001")
        IATF_16949 = "iatf16949", _("IATF 16949")
        AS_9100 = "as9100", _("AS9100")
        ISO_13485 = "iso13485", _("ISO 13485")
        ISO_14001 = "iso14001", _("ISO 14001")
        ITAR = "itar", _("ITAR registration")

    class State(models.TextChoices):
        VALID = "valid", _("Valid")
        EXPIRING = "expiring", _("Expiring soon")
        EXPIRED = "expired", _("Expired")

    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.CASCADE, related_name="certifications"
    )
    plant = models.ForeignKey(
        Plant,
        verbose_name=_("plant"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="certifications",
        help_text=_("Leave empty when it covers the whole partner."),
    )
    standard = models.CharField(_("standard"), max_length=16, choices=Standard.choices)
    certificate_number = models.CharField(_("certificate number"), max_length=100)
    issued_by = models.CharField(_("issued by"), max_length=200, blank=True)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"))

    class Meta:
        ordering = ["expires_on"]
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__gt=models.F("issued_on")),
                name="certification_expires_after_issue",
            )
        ]

    def __str__(self):
        return f"{self.get_standard_display()} {self.certificate_number}"

    def state(self, today: datetime.date | None = None) -> str:
        today = today or timezone.localdate()
        if self.expires_on < today:
            return self.State.EXPIRED
        if self.expires_on <= today + datetime.timedelta(days=EXPIRY_WARNING_DAYS):
            return self.State.EXPIRING
        return self.State.VALID

    def get_state_display(self) -> str:
        return self.State(self.state()).label


class Role(models.TextChoices):
    # The hub (network operator)
    PLANNER = "planner", _("Planner")
    QUALITY_ENGINEER = "quality_engineer", _("Quality engineer")
    AUDITOR = "auditor", _("Auditor")
    NETWORK_ADMIN = "network_admin", _("Network admin")
    # A partner
    OPERATOR = "operator", _("Operator")
    QUALITY = "quality", _("Quality")
    PARTNER_ADMIN = "partner_admin", _("Partner admin")


HUB_ROLES = frozenset({Role.PLANNER, Role.QUALITY_ENGINEER, Role.AUDITOR, Role.NETWORK_ADMIN})
# Who plans: creates products and orders, dispatches, decides counter-proposals.
PLANNER_ROLES = frozenset({Role.PLANNER, Role.NETWORK_ADMIN})
PARTNER_ROLES = frozenset({Role.OPERATOR, Role.QUALITY, Role.PARTNER_ADMIN})


class Membership(models.Model):
    """What one user may do on one host: the hub (its public row) or a partner."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        ordering = ["partner__name", "user__username"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "partner"], name="one_membership_per_partner"),
        ]

    def __str__(self):
        return f"{self.user} – {self.partner} ({self.get_role_display()})"

    def clean(self):
        from django.core.exceptions import ValidationError

        allowed = HUB_ROLES if self.partner_id and self.partner.is_hub else PARTNER_ROLES
        if self.role not in allowed:
            raise ValidationError(
                {"role": _("This role does not exist on this side of the network.")}
            )


class DataSharingAgreement(models.Model):
    """What a partner releases to the hub through the ledger. Without an
    agreement on file, the default releases status and quantities."""

    class Release(models.TextChoices):
        STATUS = "status", _("Status and answers (accept, reject, promised date)")
        QUANTITIES = "quantities", _("Quantities (good, scrap, shipped)")
        DATES = "dates", _("Production dates (start and finish of operations)")
        NOTES = "notes", _("Operator notes marked as shared")
        SHIPPING = "shipping", _("Shipping details (carrier, tracking, lots)")
        CAPACITY = "capacity", _("Capacity (work centres, capabilities, planned downtime)")
        QUALITY_SUMMARY = (
            "quality_summary",
            _("Quality summary (inspections, pass/fail counts, NCRs, Cpk per characteristic)"),
        )
        QUALITY_RAW = "quality_raw", _("Raw inspection measurements")

    DEFAULT_RELEASES = ("status", "quantities", "capacity", "quality_summary")
    # The hub's order board needs these: no agreement withholds them.
    REQUIRED_RELEASES = ("status", "quantities")

    partner = models.OneToOneField(
        Partner,
        verbose_name=_("partner"),
        on_delete=models.CASCADE,
        related_name="sharing_agreement",
    )
    releases = models.JSONField(_("released data"), default=list)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("data-sharing agreement")
        verbose_name_plural = _("data-sharing agreements")

    def __str__(self):
        return f"{self.partner}: {', '.join(self.releases)}"

    @classmethod
    def releases_for(cls, partner: Partner) -> frozenset[str]:
        agreement = cls.objects.filter(partner=partner).first()
        return frozenset(agreement.releases if agreement else cls.DEFAULT_RELEASES)

    @classmethod
    def releases_in_force(cls, partner: Partner | int) -> frozenset[str]:
        """What the ledger lets through for the partner (by instance or id): its
        releases and those no agreement withholds."""
        return cls.releases_for(partner) | frozenset(cls.REQUIRED_RELEASES)
