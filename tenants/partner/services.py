import hashlib

from django.db import connection, transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm

from portal.audit import FILE_DOWNLOADED, FILE_UPLOADED, PERMISSION_GRANTED, audit_record

from ..models import Partner
from . import tasks
from .models import Document


def document_upload(
    *,
    partner: Partner,
    uploaded,
    checked,
    title: str,
    kind: str,
    restricted: bool,
    user,
    request=None,
) -> Document:
    with transaction.atomic():
        document = Document(
            title=title,
            kind=kind,
            restricted=restricted,
            original_name=checked.name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            uploaded_by_id=user.pk,
            uploaded_by_label=user.get_username(),
        )
        document.file.save(checked.name, uploaded, save=False)
        try:
            document.save()
        except Exception:
            document.file.delete(save=False)
            raise
        transaction.on_commit(lambda: tasks.document_verify.delay(document.pk))
        audit_record(
            action=FILE_UPLOADED,
            actor=user,
            partner=partner,
            obj=document,
            request=request,
            name=checked.name,
            sha256=checked.sha256,
        )
    return document


def document_grant_view(*, partner: Partner, document: Document, user, actor, request=None) -> None:
    """Let one member see one restricted document (guardian, in this partner's schema)."""
    with transaction.atomic():
        assign_perm("partner_workspace.view_document", user, document)
        audit_record(
            action=PERMISSION_GRANTED,
            actor=actor,
            partner=partner,
            obj=document,
            request=request,
            user=user.get_username(),
            permission="view_document",
        )


def document_downloaded(*, partner: Partner, document: Document, user, request=None) -> None:
    audit_record(
        action=FILE_DOWNLOADED,
        actor=user,
        partner=partner,
        obj=document,
        request=request,
        name=document.original_name,
    )


def document_verify(*, document_id: int) -> dict:
    """Re-read the stored file and compare it with the SHA-256 taken at upload.

    Runs in the schema of whoever queued it, and reads the file from that
    partner's storage: document ids repeat from one partner to the next.
    """
    document = Document.objects.get(pk=document_id)
    digest = hashlib.sha256()
    with document.file.open("rb") as handle:
        for chunk in iter(lambda: handle.read(65536), b""):
            digest.update(chunk)
    intact = digest.hexdigest() == document.sha256
    if intact:
        document.verified_at = timezone.now()
        document.save(update_fields=["verified_at"])
    return {"schema": connection.schema_name, "document": document.pk, "intact": intact}
