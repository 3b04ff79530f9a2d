"""Reads on the partner registry, shared by pages (and later the API)."""

import datetime

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .models import EXPIRY_WARNING_DAYS, Certification, Membership, Partner, Plant


def partner_list(*, today: datetime.date | None = None) -> QuerySet[Partner]:
    """Every partner with its plants and certification counts, in a fixed number of queries."""
    today = today or timezone.localdate()
    warn = today + datetime.timedelta(days=EXPIRY_WARNING_DAYS)
    return (
        Partner.objects.partners()
        .annotate(
            plant_count=Count("plants", distinct=True),
            member_count=Count("memberships", distinct=True),
            certs_expired=Count(
                "certifications", filter=Q(certifications__expires_on__lt=today), distinct=True
            ),
            certs_expiring=Count(
                "certifications",
                filter=Q(
                    certifications__expires_on__gte=today, certifications__expires_on__lte=warn
                ),
                distinct=True,
            ),
            certs_valid=Count(
                "certifications", filter=Q(certifications__expires_on__gt=warn), distinct=True
            ),
        )
        .prefetch_related(Prefetch("plants", queryset=Plant.objects.order_by("name")))
    )


def partner_counts_by_status() -> dict[str, int]:
    """How many partners are in each status, by the status's label, in the order
    of Partner.Status."""
    partners = Partner.objects.partners()
    return {status.label: partners.filter(status=status).count() for status in Partner.Status}


def partner_get(*, slug: str) -> Partner:
    return get_object_or_404(Partner.objects.partners(), slug=slug)


def partner_plants(*, partner: Partner) -> QuerySet[Plant]:
    return partner.plants.order_by("name")


def partner_certifications(*, partner: Partner) -> QuerySet[Certification]:
    return partner.certifications.select_related("plant").order_by("expires_on")


def membership_list(*, partner: Partner) -> QuerySet[Membership]:
    return Membership.objects.filter(partner=partner).select_related("user")


def membership_get(*, partner: Partner, pk: int) -> Membership:
    return get_object_or_404(membership_list(partner=partner), pk=pk)


def certifications_expiring(*, today: datetime.date | None = None) -> QuerySet[Certification]:
    today = today or timezone.localdate()
    warn = today + datetime.timedelta(days=EXPIRY_WARNING_DAYS)
    return (
        Certification.objects.filter(expires_on__lte=warn)
        .select_related("partner", "plant")
        .order_by("expires_on")
    )


def plant_choices_by_partner() -> list[tuple[str, list[tuple[int, str]]]]:
    """Every partner's plants for a select box, grouped under the partner's name.
    Partners that cannot take work (onboarding, suspended) stay listed, marked,
    so that whatever uses the choice can say why it refuses."""
    groups: dict[str, list[tuple[int, str]]] = {}
    plants = Plant.objects.filter(partner__in=Partner.objects.partners()).select_related("partner")
    for plant in plants.order_by("partner__name", "name"):
        partner = plant.partner
        label = partner.name
        if partner.status != Partner.Status.ACTIVE:
            label = f"{partner.name} ({partner.get_status_display().lower()})"
        groups.setdefault(label, []).append((plant.pk, f"{plant.name} ({plant.code})"))
    return list(groups.items())
