# The hub's quality read models became projections of the network ledger. Rows
# written before are appended once as the events that produce them, so that a
# rebuild from the ledger alone gives them back (portal.ledger_genesis).

from django.db import migrations

from portal.ledger_genesis import genesis_append, rekey

COUNTS = ("pieces_inspected", "pieces_conforming", "first_pass_inspected", "first_pass_conforming")


def _iso(value):
    return value.isoformat() if value else None


def append_existing_rows(apps, schema_editor):
    LedgerEvent = apps.get_model("portal", "LedgerEvent")
    if LedgerEvent.objects.filter(kind__startswith="quality.").exists():
        return  # these read models are already fed by the ledger
    WorkOrderQuality = apps.get_model("quality_hub", "WorkOrderQuality")
    CharacteristicCapability = apps.get_model("quality_hub", "CharacteristicCapability")
    NcrSummary = apps.get_model("quality_hub", "NcrSummary")
    UseAsIsRequest = apps.get_model("quality_hub", "UseAsIsRequest")
    IssuedDocument = apps.get_model("quality_hub", "IssuedDocument")
    with schema_editor.connection.cursor() as cursor:
        for row in WorkOrderQuality.objects.order_by("updated_at", "id"):
            genesis_append(
                cursor,
                at=row.updated_at,
                partner_id=row.partner_id,
                kind="quality.inspected",
                group="quality_summary",
                order_number=row.order_number,
                work_order_number=row.work_order_number,
                payload={
                    "product_code": row.product_code,
                    "revision": row.revision,
                    **{name: getattr(row, name) for name in COUNTS},
                    "capabilities": [],
                },
            )
        for row in CharacteristicCapability.objects.order_by("updated_at", "id"):
            genesis_append(
                cursor,
                at=row.updated_at,
                partner_id=row.partner_id,
                kind="quality.inspected",
                group="quality_summary",
                payload={
                    "product_code": row.product_code,
                    "revision": row.revision,
                    "capabilities": [
                        {
                            "characteristic": row.characteristic_id,
                            "name": row.name,
                            "n": row.sample_size,
                            "cp": row.cp,
                            "cpk": row.cpk,
                        }
                    ],
                },
            )
        for row in NcrSummary.objects.order_by("opened_at", "id"):
            genesis_append(
                cursor,
                at=row.closed_at or row.opened_at,
                partner_id=row.partner_id,
                kind="quality.ncr",
                group="quality_summary",
                order_number=row.order_number,
                work_order_number=row.work_order_number,
                payload={
                    "ncr": row.number,
                    "product_code": row.product_code,
                    "revision": row.revision,
                    "defect_code": row.defect_code,
                    "quantity": row.quantity,
                    "status": row.status,
                    "disposition": row.disposition,
                    "opened_at": _iso(row.opened_at),
                    "closed_at": _iso(row.closed_at),
                },
            )
        requests = {}
        for row in UseAsIsRequest.objects.order_by("requested_at", "id"):
            requests[row.pk] = event = genesis_append(
                cursor,
                at=row.requested_at,
                partner_id=row.partner_id,
                kind="quality.use_as_is_requested",
                group="request",
                order_number=row.order_number,
                work_order_number=row.work_order_number,
                actor_label=row.requested_by_label,
                payload={
                    "ncr": row.ncr_number,
                    "product_code": row.product_code,
                    "revision": row.revision,
                    "defect_code": row.defect_code,
                    "quantity": row.quantity,
                    "description": row.description,
                    "justification": row.justification,
                },
            )
            if row.status != "pending":
                genesis_append(
                    cursor,
                    at=row.decided_at or row.requested_at,
                    partner_id=row.partner_id,
                    kind="quality.use_as_is_decided",
                    group="decision",
                    order_number=row.order_number,
                    work_order_number=row.work_order_number,
                    payload={
                        "request": event,
                        "status": row.status,
                        "decided_by": row.decided_by_id,
                        "note": row.note,
                    },
                )
        rekey(cursor, "quality_hub_useasisrequest", requests)
        documents = {}
        for row in IssuedDocument.objects.order_by("issued_at", "id"):
            documents[row.pk] = genesis_append(
                cursor,
                at=row.issued_at,
                partner_id=row.partner_id,
                kind="quality.certificate",
                group="request",
                order_number=row.order_number,
                work_order_number=row.work_order_number,
                actor_label=row.signatory_label,
                payload={
                    "kind": row.kind,
                    "number": row.number,
                    "content_sha256": row.content_sha256,
                    "pdf_sha256": row.pdf_sha256,
                    "issued_at": _iso(row.issued_at),
                    "signatory": row.signatory_label,
                },
            )
        rekey(cursor, "quality_hub_issueddocument", documents)


class Migration(migrations.Migration):
    dependencies = [
        ("quality_hub", "0002_read_model_times"),
        ("portal", "0004_ledger_event_groups"),
    ]

    operations = [migrations.RunPython(append_existing_rows, migrations.RunPython.noop)]
