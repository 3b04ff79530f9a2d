"""Quality verbs that cross from the hub into a partner's schema. Each goes
through the audited door (tenants.door.partner_schema) and records the hub's
decision on the network ledger, whose projector updates the hub's queue, in one
transaction."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.audit import audit_record
from portal.ledger import DECISION, ledger_append
from quality import vocabulary
from quality.vocabulary import USE_AS_IS_DECISION
from tenants.door import partner_schema

from .hub.models import UseAsIsRequest


def use_as_is_decide(
    *, use_as_is: UseAsIsRequest, approve: bool, note: str, actor, request=None
) -> UseAsIsRequest:
    """A hub quality engineer approves or rejects a partner's request to use
    non-conforming parts as they are. The decision is written to the request and,
    through the door, to the partner's NCR, or to neither."""
    from .partner.models import NonConformance
    from .partner.ncrs import services as partner_services

    if not approve and not note.strip():
        raise ValidationError({"note": _("Say why the parts cannot be used as they are.")})
    with transaction.atomic():
        use_as_is = UseAsIsRequest.objects.select_for_update().get(pk=use_as_is.pk)
        if use_as_is.status != UseAsIsRequest.Status.PENDING:
            raise ValidationError(
                _("This request was already %(status)s.")
                % {"status": use_as_is.get_status_display().lower()},
                code="invalid_transition",
            )
        status = UseAsIsRequest.Status.APPROVED if approve else UseAsIsRequest.Status.REJECTED
        verb = _("approve") if approve else _("reject")
        with partner_schema(
            use_as_is.partner,
            actor=actor,
            reason=f"{verb} use as is of {use_as_is.ncr_number}",
            request=request,
        ):
            ncr = NonConformance.objects.get(number=use_as_is.ncr_number)
            partner_services.ncr_approval_apply(
                partner=use_as_is.partner,
                ncr=ncr,
                approve=approve,
                note=note,
                decided_by_label=actor.get_username(),
            )
        ledger_append(
            partner=use_as_is.partner,
            kind=vocabulary.USE_AS_IS_DECIDED,
            order_number=use_as_is.order_number,
            work_order_number=use_as_is.work_order_number,
            actor_label=actor.get_username(),
            groups={
                DECISION: {
                    "request": use_as_is.pk,
                    "status": status,
                    "decided_by": actor.pk,
                    "note": note,
                }
            },
        )
        use_as_is.refresh_from_db()
        audit_record(
            action=USE_AS_IS_DECISION,
            actor=actor,
            partner=use_as_is.partner,
            obj=use_as_is,
            request=request,
            ncr=use_as_is.ncr_number,
            approved=approve,
        )
    return use_as_is
