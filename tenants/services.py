"""Writes on the partner registry: provisioning, status, memberships, invitations.

Each service is one transaction and records itself in the audit log.
"""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django_tenants.utils import schema_exists

from portal.audit import audit_record
from tenants.vocabulary import (
    CERTIFICATION_ADDED,
    MEMBERSHIP_CHANGED,
    MEMBERSHIP_CREATED,
    MEMBERSHIP_REMOVED,
    PARTNER_PROVISION_FAILED,
    PARTNER_PROVISIONED,
    PARTNER_STATUS_CHANGED,
    PLANT_ADDED,
    USER_INVITED,
)

from .models import HUB_ROLES, PARTNER_ROLES, Domain, Membership, Partner
from .provisioning import schema_create
from .validators import schema_name_for, validate_partner_slug

logger = logging.getLogger(__name__)
User = get_user_model()


class ProvisioningError(Exception):
    """Provisioning failed and was rolled back; the message says why."""


def partner_provision(
    *,
    slug: str,
    name: str,
    country: str = "",
    contact_email: str = "",
    admin_email: str = "",
    actor=None,
    request=None,
    status: str = Partner.Status.ONBOARDING,
    method: str | None = None,
) -> Partner:
    """Create a partner: its row, schema and domain, and invite its first admin.

    Safe to repeat: for an existing slug whose schema exists, it returns that
    partner unchanged. All of it is one transaction: a failure anywhere leaves
    no row, no domain and no schema.
    """
    validate_partner_slug(slug)
    existing = Partner.objects.filter(slug=slug).first()
    if existing is not None and schema_exists(existing.schema_name):
        return existing

    schema_name = schema_name_for(slug)
    try:
        with transaction.atomic():
            partner = existing or Partner(slug=slug, schema_name=schema_name)
            partner.name = name
            partner.country = country
            partner.contact_email = contact_email or admin_email
            partner.status = status
            partner.save()
            Domain.objects.get_or_create(
                domain=partner.host(), defaults={"tenant": partner, "is_primary": True}
            )
            schema_create(schema_name, method=method)
            audit_record(
                action=PARTNER_PROVISIONED,
                actor=actor,
                partner=partner,
                obj=partner,
                request=request,
                method=method or "default",
            )
            if admin_email:
                user_invite(
                    email=admin_email,
                    partner=partner,
                    role="partner_admin",
                    actor=actor,
                    request=request,
                )
    except ValidationError:
        raise
    except Exception as exc:
        logger.exception("Provisioning partner %s failed", slug)
        audit_record(
            action=PARTNER_PROVISION_FAILED,
            actor=actor,
            request=request,
            object_type="tenants.Partner",
            object_id=slug,
            error=str(exc)[:500],
        )
        raise ProvisioningError(
            _("Provisioning “%(slug)s” failed and was rolled back: %(error)s")
            % {"slug": slug, "error": exc}
        ) from exc
    return partner


def partner_set_status(*, partner: Partner, status: str, actor, request=None) -> Partner:
    if status not in Partner.Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    old = partner.status
    if old == status:
        return partner
    with transaction.atomic():
        partner.status = status
        partner.save(update_fields=["status"])
        audit_record(
            action=PARTNER_STATUS_CHANGED,
            actor=actor,
            partner=partner,
            obj=partner,
            request=request,
            old=old,
            new=status,
        )
    return partner


def plant_add(*, form, actor, request=None):
    """Save a validated PlantForm for its partner, audited."""
    with transaction.atomic():
        plant = form.save()
        audit_record(
            action=PLANT_ADDED,
            actor=actor,
            partner=plant.partner,
            obj=plant,
            request=request,
            code=plant.code,
            country=str(plant.country),
        )
    return plant


def certification_add(*, form, actor, request=None):
    """Save a validated CertificationForm for its partner, audited."""
    with transaction.atomic():
        certification = form.save()
        audit_record(
            action=CERTIFICATION_ADDED,
            actor=actor,
            partner=certification.partner,
            obj=certification,
            request=request,
            standard=certification.standard,
            expires_on=certification.expires_on.isoformat(),
        )
    return certification


def _check_role(partner: Partner, role: str) -> None:
    allowed = HUB_ROLES if partner.is_hub else PARTNER_ROLES
    if role not in allowed:
        raise ValidationError({"role": _("This role does not exist on this side of the network.")})


def membership_add(*, user, partner: Partner, role: str, actor=None, request=None) -> Membership:
    _check_role(partner, role)
    with transaction.atomic():
        if Membership.objects.filter(user=user, partner=partner).exists():
            raise ValidationError(
                {"email": _("%(user)s is already a member.") % {"user": user.email or user}}
            )
        membership = Membership.objects.create(user=user, partner=partner, role=role)
        audit_record(
            action=MEMBERSHIP_CREATED,
            actor=actor,
            partner=partner,
            obj=membership,
            request=request,
            user=user.get_username(),
            role=role,
        )
    return membership


def membership_change_role(*, membership: Membership, role: str, actor, request=None) -> Membership:
    _check_role(membership.partner, role)
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        old = membership.role
        if old == role:
            return membership
        _ensure_admin_remains(membership, new_role=role)
        membership.role = role
        membership.save(update_fields=["role"])
        audit_record(
            action=MEMBERSHIP_CHANGED,
            actor=actor,
            partner=membership.partner,
            obj=membership,
            request=request,
            user=membership.user.get_username(),
            old=old,
            new=role,
        )
    return membership


def membership_remove(*, membership: Membership, actor, request=None) -> None:
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        _ensure_admin_remains(membership, new_role=None)
        audit_record(
            action=MEMBERSHIP_REMOVED,
            actor=actor,
            partner=membership.partner,
            obj=membership,
            request=request,
            user=membership.user.get_username(),
            role=membership.role,
        )
        membership.delete()


def _ensure_admin_remains(membership: Membership, *, new_role: str | None) -> None:
    """A partner never loses its last admin: someone must be able to manage members."""
    admin_role = "network_admin" if membership.partner.is_hub else "partner_admin"
    if membership.role != admin_role or new_role == admin_role:
        return
    others = Membership.objects.filter(partner=membership.partner, role=admin_role).exclude(
        pk=membership.pk
    )
    if not others.exists():
        raise ValidationError(_("The last admin cannot be removed or demoted."))


def user_invite(*, email: str, partner: Partner, role: str, actor=None, request=None) -> Membership:
    """Give `email` a role on `partner`; a new user gets a link to set a password."""
    email = User.objects.normalize_email(email).lower()
    with transaction.atomic():
        user = User.objects.filter(email__iexact=email).first()
        created = user is None
        if created:
            user = User(username=email, email=email)
            user.set_unusable_password()
            user.save()
        membership = membership_add(
            user=user, partner=partner, role=role, actor=actor, request=request
        )
        audit_record(
            action=USER_INVITED,
            actor=actor,
            partner=partner,
            obj=user,
            request=request,
            email=email,
            role=role,
            new_user=created,
        )
        transaction.on_commit(lambda: _send_invitation(user=user, partner=partner, new=created))
    return membership


def _send_invitation(*, user, partner: Partner, new: bool) -> None:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    # The link opens on the host where the user will work.
    path = reverse(
        "accounts:password_reset_confirm",
        kwargs={"uidb64": uid, "token": token},
        urlconf="portal.urls_hub" if partner.is_hub else "portal.urls_partner",
    )
    context = {
        "user": user,
        "partner": partner,
        "new_user": new,
        "set_password_url": partner.url(path),
        "sign_in_url": partner.url("/"),
    }
    send_mail(
        subject=_("You have been invited to %(partner)s on DMN Portal") % {"partner": partner},
        message=render_to_string("registration/invitation_email.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )
