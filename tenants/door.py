"""The one door from hub code into a partner schema.

Hub code never calls django-tenants' `schema_context` itself: it goes through
`partner_schema`, which first appends an audit entry (who, which partner, why).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django_tenants.utils import schema_context

from portal.audit import audit_record
from tenants.vocabulary import SCHEMA_ENTERED


class DoorRefused(Exception):
    pass


@contextmanager
def partner_schema(partner, *, actor, reason: str, request=None) -> Iterator[None]:
    """Run the block inside `partner`'s schema, after recording who entered and why."""
    if partner.is_hub:
        raise DoorRefused("The hub's own schema needs no door.")
    if not reason or not reason.strip():
        raise DoorRefused("Entering a partner schema needs a reason.")
    audit_record(
        action=SCHEMA_ENTERED,
        actor=actor,
        partner=partner,
        reason=reason,
        request=request,
    )
    with schema_context(partner.schema_name):
        yield
