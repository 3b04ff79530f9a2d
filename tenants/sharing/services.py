"""Recording a partner's data-sharing agreement."""

from django.db import transaction

from portal.audit import audit_record
from portal.ledger import ledger_rebuild
from tenants.vocabulary import SHARING_CHANGED

from ..models import DataSharingAgreement
from . import releases_changed

REQUIRED = DataSharingAgreement.REQUIRED_RELEASES  # the hub's projection needs these


def agreement_set(*, partner, releases, actor, request=None) -> DataSharingAgreement:
    with transaction.atomic():
        agreement, _created = DataSharingAgreement.objects.get_or_create(partner=partner)
        old = sorted(agreement.releases or DataSharingAgreement.DEFAULT_RELEASES)
        agreement.releases = sorted(set(REQUIRED) | set(releases))
        agreement.save()
        if set(old) - set(agreement.releases):
            # What the hub keeps of the partner follows the agreement in force: its read
            # models are rebuilt from the ledger without the withdrawn groups.
            ledger_rebuild(partner_ids=[partner.pk])
        releases_changed.send(
            sender=DataSharingAgreement,
            partner=partner,
            old=old,
            new=agreement.releases,
            actor=actor,
        )
        audit_record(
            action=SHARING_CHANGED,
            actor=actor,
            partner=partner,
            obj=agreement,
            request=request,
            old=old,
            new=agreement.releases,
        )
    return agreement
