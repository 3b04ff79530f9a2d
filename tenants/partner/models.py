"""Data a partner owns, in its own schema: its document library."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


def document_upload_to(instance, filename):
    # Generated names only: the user's file name is kept as data, never as a path.
    return f"documents/{uuid.uuid4().hex}"


class Document(models.Model):
    """A file the partner keeps in the portal: certificates, drawings, specs.

    Restricted documents are visible only to the partner's admins and to users
    granted `view_document` on that one document (django-guardian, kept in this
    partner's schema).
    """

    class Kind(models.TextChoices):
        CERTIFICATE = "certificate", _("Certificate")
        DRAWING = "drawing", _("Drawing")
        SPECIFICATION = "specification", _("Specification")
        OTHER = "other", _("Other")

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    file = models.FileField(_("file"), upload_to=document_upload_to, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    restricted = models.BooleanField(
        _("restricted"),
        default=False,
        help_text=_("Only partner admins and users granted access can see it."),
    )
    # Users live in the public schema; a plain id (not a foreign key) keeps the
    # hub's user deletion from reaching into partner schemas.
    uploaded_by_id = models.BigIntegerField(_("uploaded by (user id)"), null=True)
    uploaded_by_label = models.CharField(_("uploaded by"), max_length=254, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    # Set by the background check that re-reads the stored file (tasks.document_verify).
    verified_at = models.DateTimeField(_("file verified"), null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self):
        return self.title
