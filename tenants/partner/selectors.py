from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from guardian.shortcuts import get_objects_for_user

from .models import Document

ADMIN_ROLES = {"partner_admin"}


def document_list_for_user(*, user, membership) -> QuerySet[Document]:
    """Documents this member may see: every unrestricted one, and restricted ones
    only for admins or with a `view_document` grant."""
    documents = Document.objects.all()
    if membership.role in ADMIN_ROLES:
        return documents
    granted = get_objects_for_user(
        user, "partner_workspace.view_document", klass=Document, accept_global_perms=False
    )
    return documents.filter(Q(restricted=False) | Q(pk__in=granted.values("pk")))


def document_get_for_user(*, user, membership, pk: int) -> Document:
    return get_object_or_404(document_list_for_user(user=user, membership=membership), pk=pk)
