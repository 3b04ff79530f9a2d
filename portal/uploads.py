"""Checking uploaded files by their content (magic bytes), never by their name.

Used by every upload in the portal. A file is accepted only when its first
bytes say it is one of the allowed kinds and its name, if it has an
extension, agrees.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

SNIFF_BYTES = 8192


@dataclass(frozen=True)
class Kind:
    content_type: str
    extensions: tuple[str, ...]


PDF = Kind("application/pdf", (".pdf",))
PNG = Kind("image/png", (".png",))
JPEG = Kind("image/jpeg", (".jpg", ".jpeg"))
CSV = Kind("text/csv", (".csv",))
TEXT = Kind("text/plain", (".txt", ".log", ""))
ALLOWED = (PDF, PNG, JPEG, CSV, TEXT)

_MARKUP_STARTS = (
    b"<!doctype",
    b"<html",
    b"<svg",
    b"<?xml",
    b"<script",
    b"<head",
    b"<body",
    b"<iframe",
    b"<object",
    b"<embed",
)


def _sniff(head: bytes) -> Kind | None:
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if b"\x00" in head:
        return None  # binary of a kind we do not accept (executables, archives...)
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sniffed bytes is still
        # UTF-8; anything else is read as Windows-1252/Latin-1 text, which
        # CMM and ERP exports often are (binary files were refused above).
        text = (
            head[: exc.start].decode("utf-8")
            if exc.start >= len(head) - 4
            else (head.decode("cp1252", errors="replace"))
        )
    lowered = text.lstrip("\ufeff \t\r\n").lower().encode()
    if any(lowered.startswith(start) for start in _MARKUP_STARTS) or b"<script" in lowered:
        return None  # HTML, SVG or XML: could carry script when opened in a browser
    return TEXT


def clean_filename(name: str) -> str:
    """The name as data: no path, no control characters, at most 255 characters."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    if not name:
        raise ValidationError(_("The file has no usable name."), code="name")
    if len(name) > 255:
        stem, ext = os.path.splitext(name)
        name = stem[: 255 - len(ext)] + ext
    return name


@dataclass(frozen=True)
class CheckedUpload:
    name: str
    content_type: str
    size: int
    sha256: str


def upload_check(uploaded, *, max_bytes: int | None = None) -> CheckedUpload:
    """Validate one uploaded file; raise ValidationError with a message for the user."""
    max_bytes = max_bytes or settings.DMN_UPLOAD_MAX_BYTES
    raw_name = uploaded.name or ""
    if "\x00" in raw_name:
        raise ValidationError(_("The file name contains a NUL byte."), code="name")
    name = clean_filename(raw_name)
    if uploaded.size > max_bytes:
        raise ValidationError(
            _("The file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(uploaded.size), "limit": filesizeformat(max_bytes)},
            code="size",
        )
    if uploaded.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    uploaded.seek(0)
    head = uploaded.read(SNIFF_BYTES)
    kind = _sniff(head)
    if kind is None:
        raise ValidationError(
            _(
                "This kind of file is not accepted. "
                "Upload a PDF, PNG, JPEG, CSV or plain text file."
            ),
            code="type",
        )
    ext = os.path.splitext(name)[1].lower()
    if kind is TEXT and ext == ".csv":
        kind = CSV
    if ext not in kind.extensions:
        raise ValidationError(
            _("The file's content is %(type)s, which does not match its name “%(name)s”.")
            % {"type": kind.content_type, "name": name},
            code="mismatch",
        )
    digest = hashlib.sha256()
    uploaded.seek(0)
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return CheckedUpload(
        name=name, content_type=kind.content_type, size=uploaded.size, sha256=digest.hexdigest()
    )


def download_response(handle, *, filename: str, content_type: str) -> FileResponse:
    """A stored file (`handle`, opened for reading) sent as a download, never
    rendered by the browser: every permission-checked download view answers with this."""
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
