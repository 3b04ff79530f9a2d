"""PDF documents: one safe path from a Django template to PDF bytes.

WeasyPrint does the layout, behind two guards:

- Every resource a document asks for (stylesheets, images, fonts, ``@import``,
  ``<link rel=attachment>``) goes through :class:`PdfUrlFetcher`, which serves
  the project's own static files and small ``data:`` URLs and refuses the rest:
  ``file:``, ``http(s):`` anywhere else, ``ftp:``, paths that climb out of the
  static directories. WeasyPrint skips a refused resource and goes on.
- WeasyPrint has no time limit of its own, so the layout runs in a forked
  child process with a deadline; the child is killed when it is over.

The Django template is rendered to HTML in the calling process (it may query
the database); the child only turns that HTML into PDF bytes and touches no
database. It is a bare ``os.fork()``, not ``multiprocessing``: a Celery
prefork worker is a daemonic process, and ``multiprocessing`` refuses to start
children from one (celery/celery#4525). Log records from the child (refused
resources, WeasyPrint's warnings) are sent back and logged by the caller.

Templates extend ``pdf/base.html`` and load assets with ``{% static %}``::

    pdf_bytes = render_pdf("pdf/coc.html", {"title": ..., "document_number": ...})
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import math
import mimetypes
import os
import re
import select
import signal
import struct
import threading
import time
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import unquote, urljoin

import weasyprint  # imported here, before any fork, so that children inherit it
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from weasyprint.urls import URLFetcher, URLFetcherResponse

if TYPE_CHECKING:
    from django.http import HttpRequest

logger = logging.getLogger(__name__)

# The origin that static URLs in PDF templates resolve against. `.invalid` never
# resolves (RFC 2606), so nothing under it can reach the network even by mistake;
# the fetcher maps it onto files found by the staticfiles finders.
PDF_ORIGIN = "https://dmn-static.invalid/"

# Log records sent back from a child, at most; a hostile document cannot flood the logs.
_MAX_CHILD_LOG_RECORDS = 100
_FRAME = struct.Struct("!IQ")  # length of the JSON header, length of the PDF


class PdfRenderError(Exception):
    """The PDF could not be produced."""


class PdfTimeout(PdfRenderError):
    """The PDF took longer than the time limit; the renderer was killed."""


class PdfResourceRefused(ValueError):
    """A PDF asked for a resource it may not load.

    Raised by :class:`PdfUrlFetcher`. WeasyPrint catches it like any failed
    download, skips the image, stylesheet or font, and renders the rest.
    """


def static_base_url() -> str:
    """The base URL of PDF documents: ``{% static %}`` paths resolve under it."""
    return urljoin(PDF_ORIGIN, settings.STATIC_URL)


class PdfUrlFetcher(URLFetcher):
    """WeasyPrint URL fetcher that serves only the project's static files.

    Accepts ``<static base URL><path>`` where ``path`` names a file that the
    staticfiles finders (or ``STATIC_ROOT``) hold and whose real path, symlinks
    resolved, stays inside one of the static directories; and ``data:`` URLs up
    to ``settings.DMN_PDF_DATA_URL_MAX_BYTES`` characters. Everything else
    raises :class:`PdfResourceRefused` and is logged. Nothing is ever fetched
    over the network.
    """

    def __init__(self) -> None:
        # The base class's urllib handlers never run (fetch is replaced); were
        # they reached anyway, an empty protocol list makes them refuse everything.
        super().__init__(allowed_protocols=(), allow_redirects=False, fail_on_errors=False)

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        try:
            response = self._fetch(url)
        except PdfResourceRefused as exc:
            logger.warning("PDF resource refused: %s (%s)", _shorten(url), exc)
            raise
        logger.debug("PDF resource served: %s", _shorten(url))
        return response

    def _fetch(self, url: str) -> URLFetcherResponse:
        if not isinstance(url, str):
            raise PdfResourceRefused("not a URL")
        if url[:5].lower() == "data:":
            return self._fetch_data(url)
        base = static_base_url()
        if not url.startswith(base):
            raise PdfResourceRefused("not a static file of the project")
        path = _static_relative_path(url[len(base) :])
        file = _find_static_file(path)
        content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if content_type.startswith("text/"):
            content_type += "; charset=utf-8"
        return URLFetcherResponse(
            url, body=file.read_bytes(), headers={"Content-Type": content_type}
        )

    def _fetch_data(self, url: str) -> URLFetcherResponse:
        limit = settings.DMN_PDF_DATA_URL_MAX_BYTES
        if len(url) > limit:
            raise PdfResourceRefused(f"data: URL longer than {limit} characters")
        try:
            # Only data: URLs get here; urllib's DataHandler just parses them.
            request = urllib.request.Request(url)  # noqa: S310
            response = urllib.request.DataHandler().data_open(request)
            body = response.read()
        except Exception as exc:  # malformed base64 or media type
            raise PdfResourceRefused(f"malformed data: URL ({type(exc).__name__})") from exc
        return URLFetcherResponse(
            url, body=body, headers={"Content-Type": response.headers["Content-Type"]}
        )


def _static_relative_path(rest: str) -> str:
    """The static path in the part of a URL after the static base, or refuse it."""
    path = rest.split("#", 1)[0].split("?", 1)[0]
    try:
        path = unquote(path, errors="strict")
    except UnicodeDecodeError as exc:
        raise PdfResourceRefused("path is not UTF-8") from exc
    if not path or path.startswith("/") or "\\" in path or "\x00" in path:
        raise PdfResourceRefused("not a relative static path")
    if any(segment in ("", ".", "..") for segment in path.split("/")):
        raise PdfResourceRefused("path traversal")
    return path


def _static_roots() -> list[Path]:
    roots = []
    for finder in finders.get_finders():
        for storage in getattr(finder, "storages", {}).values():
            location = getattr(storage, "location", None)
            if location:
                roots.append(Path(location).resolve())
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT).resolve())
    return roots


def _find_static_file(path: str) -> Path:
    try:
        candidates = [Path(found) for found in finders.find(path, find_all=True)]
    except SuspiciousFileOperation as exc:
        raise PdfResourceRefused("path outside the static directories") from exc
    if settings.STATIC_ROOT:  # collected (possibly hashed) names
        candidates.append(Path(settings.STATIC_ROOT) / path)
    roots = _static_roots()
    for candidate in candidates:
        real = candidate.resolve()
        if real.is_file() and any(real.is_relative_to(root) for root in roots):
            return real
    raise PdfResourceRefused("no such static file")


def _shorten(url: Any, length: int = 160) -> str:
    text = repr(url) if not isinstance(url, str) else url
    return text if len(text) <= length else f"{text[:length]}… ({len(text)} characters)"


def _css_string(text: str) -> str:
    """``text`` as a quoted CSS string; only letters, digits and spaces stay literal.

    Every other character becomes a hex escape ending in the one space that CSS
    consumes as its terminator, so quotes, backslashes and ``</style>`` cannot
    end the string or the element.
    """
    return '"{}"'.format(
        "".join(ch if ch.isalnum() or ch == " " else f"\\{ord(ch):x} " for ch in text)
    )


def page_counter_css() -> SafeString:
    """The CSS ``content`` value for "Page X of Y" in the active language."""
    # Translators: footer of PDF documents. Keep {page} and {pages}; their order may change.
    text = gettext("Page {page} of {pages}")
    parts = []
    for part in re.split(r"(\{pages?\})", text):
        if part == "{page}":
            parts.append("counter(page)")
        elif part == "{pages}":
            parts.append("counter(pages)")
        elif part:
            parts.append(_css_string(part))
    return mark_safe(" ".join(parts))  # noqa: S308 - every piece is escaped above


def render_pdf(
    template_name: str,
    context: dict[str, Any] | None = None,
    *,
    request: HttpRequest | None = None,
    time_limit: float | None = None,
) -> bytes:
    """Render a template under ``templates/pdf/`` to PDF bytes.

    The template is rendered here (with ``request``'s context processors when a
    request is given); the layout runs in a child process that is killed after
    ``time_limit`` seconds (default ``settings.DMN_PDF_TIME_LIMIT``).

    Raises :class:`PdfTimeout` when over the limit, :class:`PdfRenderError`
    when WeasyPrint fails. Refused resources are logged, not raised.
    """
    context = {**(context or {}), "pdf_page_counter": page_counter_css()}
    html = render_to_string(template_name, context, request=request)
    limit = settings.DMN_PDF_TIME_LIMIT if time_limit is None else time_limit
    started = time.monotonic()
    pdf, meta = _render_in_child(html, base_url=static_base_url(), time_limit=limit)
    for record in meta.get("logs", []):
        logging.getLogger(record["name"]).log(
            record["level"], "%s [%s]", record["message"], template_name
        )
    if not meta.get("ok"):
        logger.error("PDF %s failed: %s", template_name, meta.get("error"))
        raise PdfRenderError(gettext("The PDF could not be rendered."))
    logger.info(
        "PDF %s rendered: %s pages, %s bytes in %.2f s",
        template_name,
        meta.get("pages"),
        len(pdf),
        time.monotonic() - started,
    )
    return pdf


def _render_in_child(html: str, *, base_url: str, time_limit: float) -> tuple[bytes, dict]:
    """Run WeasyPrint on ``html`` in a forked child; return (pdf, metadata)."""
    _warm_up()
    read_fd, write_fd = os.pipe()
    # Frozen objects are left alone by the child's garbage collector, so the
    # child does not copy the parent's memory pages just by scanning them.
    gc.freeze()
    try:
        pid = os.fork()
    except OSError:
        gc.unfreeze()
        os.close(read_fd)
        os.close(write_fd)
        raise
    if pid == 0:
        _child_main(html, base_url=base_url, read_fd=read_fd, write_fd=write_fd, limit=time_limit)
    gc.unfreeze()
    os.close(write_fd)
    status = 0
    try:
        try:
            data = _read_frame(read_fd, pid, time.monotonic() + time_limit)
        except BaseException:
            # Not reaped yet, so the pid is still this child's (a zombie at worst).
            os.kill(pid, signal.SIGKILL)
            raise
        finally:
            os.close(read_fd)
            _, status = os.waitpid(pid, 0)
    except _ChildGone:
        raise PdfRenderError(
            gettext("The PDF renderer stopped unexpectedly.") + f" ({_describe_status(status)})"
        ) from None
    except PdfTimeout:
        raise PdfTimeout(
            gettext("The PDF took longer than %(seconds)s seconds to render.")
            % {"seconds": f"{time_limit:g}"}
        ) from None
    header_length, pdf_length = _FRAME.unpack_from(data)
    header_end = _FRAME.size + header_length
    meta = json.loads(data[_FRAME.size : header_end])
    return data[header_end : header_end + pdf_length], meta


_warm_up_lock = threading.Lock()
_warmed_up = False


def _warm_up() -> None:
    """Lay out a tiny trusted document once in this process.

    A process's first layout parses cffi's C declarations (about 60 ms); every
    child forked afterwards inherits them parsed. It runs under a lock, so no
    thread is inside WeasyPrint's C libraries when another one forks.
    """
    global _warmed_up
    with _warm_up_lock:
        if not _warmed_up:
            try:
                weasyprint.HTML(
                    string="<p style='font-family: \"DejaVu Sans\"'>DMN <b>1</b></p>",
                    url_fetcher=PdfUrlFetcher(),
                ).write_pdf()
            except Exception:  # only slower children
                logger.exception("PDF warm-up failed")
            _warmed_up = True


class _ChildGone(Exception):
    pass


def _read_frame(fd: int, pid: int, deadline: float) -> bytes:
    """Read one whole frame from the child before ``deadline``; never reaps it."""
    buffer = bytearray()
    expected = None
    child_exited = False
    while expected is None or len(buffer) < expected:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise PdfTimeout
        # Short waits: the end of file may never come if a child that another
        # thread forked meanwhile holds a copy of the pipe; so watch the child too.
        ready, _, _ = select.select([fd], [], [], min(remaining, 0.25))
        if not ready:
            if child_exited:
                raise _ChildGone
            # Gone, but wait once more for what it may have written just before.
            child_exited = (
                os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
            )
            continue
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            raise _ChildGone
        buffer += chunk
        if expected is None and len(buffer) >= _FRAME.size:
            header_length, pdf_length = _FRAME.unpack_from(buffer)
            expected = _FRAME.size + header_length + pdf_length
    return bytes(buffer)


def _describe_status(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"signal {os.WTERMSIG(status)}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"


class _CollectHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[dict] = []

    def emit(self, record: logging.LogRecord) -> None:
        # Our own records at any enabled level; WeasyPrint's from warnings up
        # (its INFO records are progress steps).
        if record.name.startswith("weasyprint") and record.levelno < logging.WARNING:
            return
        if len(self.records) < _MAX_CHILD_LOG_RECORDS:
            self.records.append(
                {"name": record.name, "level": record.levelno, "message": record.getMessage()}
            )


def _child_main(html: str, *, base_url: str, read_fd: int, write_fd: int, limit: float) -> NoReturn:
    """The forked child: render, write one frame to the pipe, exit without cleanup."""
    code = 0
    try:
        os.close(read_fd)
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGALRM):
            with contextlib.suppress(ValueError):  # forked from a thread other than the main one
                signal.signal(signum, signal.SIG_DFL)
        # Dies by itself should the parent vanish before killing it.
        signal.alarm(math.ceil(limit) + 5)
        collect = _CollectHandler()
        for name in ("weasyprint", __name__):
            child_logger = logging.getLogger(name)
            child_logger.handlers = [collect]
            child_logger.propagate = False
        pdf = b""
        try:
            document = weasyprint.HTML(
                string=html, base_url=base_url, url_fetcher=PdfUrlFetcher()
            ).render()
            pdf = document.write_pdf()
            meta = {"ok": True, "pages": len(document.pages)}
        except Exception as exc:
            meta = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        meta["logs"] = collect.records
        header = json.dumps(meta).encode()
        with os.fdopen(write_fd, "wb") as pipe:
            pipe.write(_FRAME.pack(len(header), len(pdf)))
            pipe.write(header)
            pipe.write(pdf)
    except BaseException:
        code = 1
    finally:
        os._exit(code)
