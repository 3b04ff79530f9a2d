"""The hub's quality read models, kept from the network ledger.

`QualitySummaryProjector` keeps inspection counts per work order, Cp/Cpk per
characteristic and NCR headers from what partners publish while their agreement
releases the quality summary. `UseAsIsProjector` keeps the queue of use-as-is
requests and the hub's decisions on them; `IssuedDocumentProjector` the register
of certificates partners issue. All run in the transaction of the event
(portal.ledger), and rebuild from the ledger alone.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from portal.ledger import Projector, of_partners, payload_time
from portal.models import LedgerEvent
from quality import vocabulary as kinds

from .models import (
    CharacteristicCapability,
    IssuedDocument,
    NcrSummary,
    UseAsIsRequest,
    WorkOrderQuality,
)

COUNTS = ("pieces_inspected", "pieces_conforming", "first_pass_inspected", "first_pass_conforming")
NCR_FIELDS = ("defect_code", "quantity", "status", "disposition", "product_code", "revision")


class QualitySummaryProjector(Projector):
    """Work order counts, characteristic capability and NCR headers."""

    name = "quality summary"
    kinds = frozenset({kinds.INSPECTED, kinds.NCR_CHANGED})

    def reset(self, partner_ids):
        for model in (WorkOrderQuality, CharacteristicCapability, NcrSummary):
            of_partners(model.objects.all(), partner_ids).delete()

    def apply(self, event: LedgerEvent, payload: dict) -> None:
        if event.kind == kinds.INSPECTED:
            self._inspected(event, payload)
        else:
            self._ncr(event, payload)

    def _inspected(self, event: LedgerEvent, payload: dict) -> None:
        if "product_code" not in payload:
            return  # the quality summary was withdrawn since
        revision = {"product_code": payload["product_code"], "revision": payload["revision"]}
        if "pieces_inspected" in payload:
            WorkOrderQuality.objects.update_or_create(
                partner_id=event.partner_id,
                work_order_number=event.work_order_number,
                defaults={
                    "order_number": event.order_number,
                    **revision,
                    **{name: payload[name] for name in COUNTS},
                    "updated_at": event.at,
                },
            )
        for capability in payload.get("capabilities", ()):
            CharacteristicCapability.objects.update_or_create(
                partner_id=event.partner_id,
                characteristic_id=capability["characteristic"],
                defaults={
                    **revision,
                    "name": capability["name"],
                    "sample_size": capability["n"],
                    "cp": capability["cp"],
                    "cpk": capability["cpk"],
                    "updated_at": event.at,
                },
            )

    def _ncr(self, event: LedgerEvent, payload: dict) -> None:
        if "ncr" not in payload:
            return
        NcrSummary.objects.update_or_create(
            partner_id=event.partner_id,
            number=payload["ncr"],
            defaults={
                "work_order_number": event.work_order_number,
                "order_number": event.order_number,
                **{name: payload[name] for name in NCR_FIELDS},
                "opened_at": payload_time(payload["opened_at"]),
                "closed_at": payload_time(payload["closed_at"]),
            },
        )

    def rows(self, partner_ids):
        counts = of_partners(
            WorkOrderQuality.objects.order_by("partner_id", "work_order_number"), partner_ids
        )
        capabilities = of_partners(
            CharacteristicCapability.objects.order_by("partner_id", "characteristic_id"),
            partner_ids,
        )
        ncrs = of_partners(NcrSummary.objects.order_by("partner_id", "number"), partner_ids)
        fields = ("partner_id", "work_order_number", "order_number", "product_code", "revision")
        return (
            [("work order", *r) for r in counts.values_list(*fields, *COUNTS, "updated_at")]
            + [
                ("capability", *r)
                for r in capabilities.values_list(
                    "partner_id",
                    "characteristic_id",
                    "product_code",
                    "revision",
                    "name",
                    "sample_size",
                    "cp",
                    "cpk",
                    "updated_at",
                )
            ]
            + [
                ("ncr", *r)
                for r in ncrs.values_list(
                    "partner_id",
                    "number",
                    "work_order_number",
                    "order_number",
                    *NCR_FIELDS,
                    "opened_at",
                    "closed_at",
                )
            ]
        )


class UseAsIsProjector(Projector):
    """A partner's use-as-is requests and the hub's decisions on them. A request
    is identified by the ledger event that raised it (its id is the event's)."""

    name = "use-as-is requests"
    kinds = frozenset({kinds.USE_AS_IS_REQUESTED, kinds.USE_AS_IS_DECIDED})

    def reset(self, partner_ids):
        of_partners(UseAsIsRequest.objects.all(), partner_ids).delete()

    def apply(self, event: LedgerEvent, payload: dict) -> None:
        if event.kind == kinds.USE_AS_IS_REQUESTED:
            UseAsIsRequest.objects.create(
                pk=event.pk,
                partner_id=event.partner_id,
                ncr_number=payload["ncr"],
                work_order_number=event.work_order_number,
                order_number=event.order_number,
                product_code=payload["product_code"],
                revision=payload["revision"],
                defect_code=payload["defect_code"],
                quantity=payload["quantity"],
                description=payload["description"],
                justification=payload["justification"],
                requested_at=event.at,
                requested_by_label=event.actor_label,
            )
            return
        decided_by = payload["decided_by"]
        if decided_by is not None and not get_user_model().objects.filter(pk=decided_by).exists():
            decided_by = None  # the user was removed since (SET_NULL)
        UseAsIsRequest.objects.filter(pk=payload["request"]).update(
            status=payload["status"],
            decided_by_id=decided_by,
            decided_at=event.at,
            note=payload["note"],
        )

    def rows(self, partner_ids):
        return list(
            of_partners(UseAsIsRequest.objects.order_by("pk"), partner_ids).values_list(
                "pk",
                "partner_id",
                "ncr_number",
                "work_order_number",
                "order_number",
                "product_code",
                "revision",
                "defect_code",
                "quantity",
                "description",
                "justification",
                "requested_at",
                "requested_by_label",
                "status",
                "decided_by_id",
                "decided_at",
                "note",
            )
        )


class IssuedDocumentProjector(Projector):
    """The register of compliance documents partners issue."""

    name = "issued documents"
    kinds = frozenset({kinds.CERTIFICATE_REGISTERED})

    def reset(self, partner_ids):
        of_partners(IssuedDocument.objects.all(), partner_ids).delete()

    def apply(self, event: LedgerEvent, payload: dict) -> None:
        IssuedDocument.objects.create(
            pk=event.pk,
            partner_id=event.partner_id,
            kind=payload["kind"],
            number=payload["number"],
            work_order_number=event.work_order_number,
            order_number=event.order_number,
            content_sha256=payload["content_sha256"],
            pdf_sha256=payload["pdf_sha256"],
            issued_at=payload_time(payload["issued_at"]),
            signatory_label=payload["signatory"],
        )

    def rows(self, partner_ids):
        return list(
            of_partners(IssuedDocument.objects.order_by("pk"), partner_ids).values_list(
                "pk",
                "partner_id",
                "kind",
                "number",
                "work_order_number",
                "order_number",
                "content_sha256",
                "pdf_sha256",
                "issued_at",
                "signatory_label",
            )
        )


PROJECTORS = [QualitySummaryProjector, UseAsIsProjector, IssuedDocumentProjector]
