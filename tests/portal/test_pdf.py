"""portal.pdf: PDFs load only the project's static files, look like documents,
render users' text as text, and stop at the time limit.

No database: the templates under test need none. Text is read back with
pdftotext (Debian's poppler-utils).
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import weasyprint
from django.test import override_settings
from weasyprint.urls import URLFetchingError, fetch

from portal import pdf
from portal.pdf import (
    PdfRenderError,
    PdfResourceRefused,
    PdfTimeout,
    PdfUrlFetcher,
    render_pdf,
    static_base_url,
)

STATIC = "https://dmn-static.invalid/static/"

TABLE_TEMPLATE = """{% extends "pdf/base.html" %}
{% block document_meta %}<div><dt>Partner</dt><dd>Acme Precision</dd></div>{% endblock %}
{% block content %}
<table class="pdf-table">
  <thead><tr><th>Lot number</th><th>Characteristic</th><th class="num">Measured</th></tr></thead>
  <tbody>
  {% for row in rows %}
  <tr>
    <td>LOT-{{ row }}</td><td>Bore diameter<br>ROW-{{ row }}-END</td><td class="num">12.004</td>
  </tr>
  {% endfor %}
  </tbody>
</table>
{% endblock %}
"""

NOTE_TEMPLATE = """{% extends "pdf/base.html" %}
{% block content %}<p class="pdf-freetext">{{ note }}</p>{% endblock %}
"""

# A template that forgot its escaping: the URL fetcher is all that is left.
UNSAFE_NOTE_TEMPLATE = """{% extends "pdf/base.html" %}
{% block content %}<div>{{ note|safe }}</div>{% endblock %}
"""

# What a user may type into a free-text field that ends up in a PDF; one per
# line, each short enough to stay on one line of the PDF.
HOSTILE_LINES = [
    '<img src="file:///etc/passwd">',
    '<link rel="attachment" href="file:///etc/hostname">',
    "<style>@import url(http://127.0.0.1:9/import.css);</style>",
    '<link rel="stylesheet" href="https://example.com/x.css">',
    '<div style="background: url(file:///etc/hosts)">x</div>',
    '<a rel="attachment" href="file:///etc/shadow">evidence</a>',
    "<style>@font-face { font-family: x; src: url(ftp://127.0.0.1/f.ttf) }</style>",
    '<img src="/etc/group">',
]
HOSTILE_URLS = [
    "file:///etc/passwd",
    "file:///etc/hostname",
    "http://127.0.0.1:9/import.css",
    "https://example.com/x.css",
    "file:///etc/hosts",
    "file:///etc/shadow",
    "ftp://127.0.0.1/f.ttf",
    "https://dmn-static.invalid/etc/group",
]


@pytest.fixture
def fetcher():
    return PdfUrlFetcher()


@pytest.fixture
def pdf_templates(tmp_path, settings):
    (tmp_path / "pdf").mkdir()
    (tmp_path / "pdf" / "table.html").write_text(TABLE_TEMPLATE)
    (tmp_path / "pdf" / "note.html").write_text(NOTE_TEMPLATE)
    (tmp_path / "pdf" / "unsafe_note.html").write_text(UNSAFE_NOTE_TEMPLATE)
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [tmp_path, *engine["DIRS"]]}]


@pytest.fixture
def pdf_log(caplog):
    """Every record of portal.pdf, down to the resources it served."""
    caplog.set_level(logging.DEBUG, logger="portal.pdf")
    return caplog


def pdf_pages(content: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "out.pdf"
    path.write_bytes(content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return text.split("\f")[:-1]  # pdftotext ends every page with a form feed


def mentions(caplog, text: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if text in r.getMessage()]


# --- The URL fetcher -----------------------------------------------------------


def test_pdf_base_url_is_the_static_url_on_a_host_that_never_resolves():
    assert static_base_url() == STATIC


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "file://localhost/etc/passwd",
        "http://127.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "https://example.com/x.css",
        "ftp://example.com/x.css",
        "gopher://127.0.0.1:6379/_INFO",
        "/etc/passwd",
        "portal/pdf.css",
        "http://dmn-static.invalid/static/portal/pdf.css",
        "https://dmn-static.invalid:8443/static/portal/pdf.css",
        "https://user@dmn-static.invalid/static/portal/pdf.css",
        "https://dmn-static.invalid.example.com/static/portal/pdf.css",
        "https://dmn-static.invalid/etc/passwd",
        "https://dmn-static.invalid/static-evil/portal/pdf.css",
        STATIC + "../../etc/passwd",
        STATIC + "portal/../../../etc/passwd",
        STATIC + "./portal/pdf.css",
        STATIC + "%2e%2e/%2e%2e/etc/passwd",
        STATIC + "%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        STATIC + "portal/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        STATIC + "/etc/passwd",
        STATIC + "%2Fetc%2Fpasswd",
        STATIC + "portal/..%5c..%5cetc%5cpasswd",
        STATIC + "portal/pdf.css%00.png",
        STATIC + "%ff%fe",
        STATIC,
        STATIC + "portal",
        STATIC + "portal/",
        STATIC + "portal/missing.css",
    ],
)
def test_fetcher_refuses_everything_but_static_files(fetcher, url):
    with pytest.raises(PdfResourceRefused):
        fetcher.fetch(url)


def test_a_refusal_is_logged_and_weasyprint_skips_the_resource(fetcher, caplog):
    # Not fatal: WeasyPrint logs the failed resource and renders the rest.
    with pytest.raises(URLFetchingError), fetch(fetcher, "file:///etc/passwd"):
        pass
    assert mentions(caplog, "PDF resource refused: file:///etc/passwd")


@pytest.mark.parametrize(
    ("path", "content_type", "start"),
    [
        ("portal/pdf.css", "text/css", b"/* PDF documents"),
        ("portal/pdf/logo.svg", "image/svg+xml", b"<svg"),
        ("portal/pdf/logo.svg?v=2#mark", "image/svg+xml", b"<svg"),
        ("portal/pdf%2Ecss", "text/css", b"/* PDF documents"),
    ],
)
def test_fetcher_serves_the_projects_static_files(fetcher, path, content_type, start):
    response = fetcher.fetch(STATIC + path)
    assert response.content_type == content_type
    assert response.read().startswith(start)


def test_static_files_resolve_from_an_absolute_static_url_without_the_network(fetcher):
    with override_settings(STATIC_URL="https://cdn.example.com/assets/"):
        assert static_base_url() == "https://cdn.example.com/assets/"
        assert fetcher.fetch("https://cdn.example.com/assets/portal/pdf.css").read()
        with pytest.raises(PdfResourceRefused):
            fetcher.fetch("https://cdn.example.com/other/x.css")
        with pytest.raises(PdfResourceRefused):
            fetcher.fetch(STATIC + "portal/pdf.css")


@pytest.fixture
def tmp_static(tmp_path):
    """A static directory and a STATIC_ROOT with symlinks in and out of them."""
    root = tmp_path / "static"
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "ok.css").write_text("p { color: black }")
    (root / "docs" / "alias.css").symlink_to(root / "docs" / "ok.css")
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    (root / "docs" / "escape.txt").symlink_to(secret)
    (root / "etc").symlink_to("/etc")
    collected = tmp_path / "collected"
    (collected / "docs").mkdir(parents=True)
    (collected / "docs" / "ok.0123abcd.css").write_text("p { color: black }")
    (collected / "docs" / "escape.0123abcd.txt").symlink_to(secret)
    with override_settings(STATICFILES_DIRS=[root], STATIC_ROOT=collected):
        yield root


@pytest.mark.parametrize("path", ["docs/ok.css", "docs/alias.css", "docs/ok.0123abcd.css"])
def test_fetcher_serves_static_files_and_collected_names(fetcher, tmp_static, path):
    assert fetcher.fetch(STATIC + path).read() == b"p { color: black }"


@pytest.mark.parametrize(
    "path", ["docs/escape.txt", "etc/passwd", "etc/hostname", "docs/escape.0123abcd.txt"]
)
def test_fetcher_refuses_symlinks_out_of_the_static_directories(fetcher, tmp_static, path):
    with pytest.raises(PdfResourceRefused):
        fetcher.fetch(STATIC + path)


def test_fetcher_serves_small_data_urls(fetcher):
    response = fetcher.fetch("data:text/plain;base64,aGVsbG8=")
    assert response.read() == b"hello"
    assert response.content_type == "text/plain"


def test_data_urls_stop_at_the_size_limit(fetcher):
    with override_settings(DMN_PDF_DATA_URL_MAX_BYTES=64):
        at_limit = "data:text/plain," + "a" * (64 - len("data:text/plain,"))
        assert fetcher.fetch(at_limit).read() == b"a" * 48
        with pytest.raises(PdfResourceRefused):
            fetcher.fetch(at_limit + "a")


def test_data_urls_over_the_default_limit_are_refused(fetcher):
    with pytest.raises(PdfResourceRefused):
        fetcher.fetch("data:image/png;base64," + "A" * 300 * 1024)


def test_malformed_data_urls_are_refused(fetcher):
    with pytest.raises(PdfResourceRefused):
        fetcher.fetch("data:text/plain")


# --- The layout ------------------------------------------------------------------


def test_a_long_table_has_letterhead_page_numbers_repeated_headers_and_whole_rows(
    pdf_templates, tmp_path, pdf_log
):
    rows = [f"{n:03d}" for n in range(1, 61)]
    content = render_pdf(
        "pdf/table.html",
        {"title": "Certificate of Conformance", "document_number": "CoC-0042", "rows": rows},
    )
    pages = pdf_pages(content, tmp_path)

    assert len(pages) >= 3
    first = pages[0]
    assert "DMN Network" in first
    assert "Distributed manufacturing network" in first
    assert "Certificate of Conformance" in first
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
        assert "CoC-0042" in page  # the footer carries the document number
    for page in pages[1:]:
        assert "Distributed manufacturing network" not in page  # letterhead on page 1 only
        assert "Certificate of Conformance · CoC-0042" in page  # running header
    for page in pages[:-1]:
        assert "Lot number" in page  # the table's header, repeated
    # No row is cut: both lines of every row land on the same page.
    for row in rows:
        (page,) = [page for page in pages if f"LOT-{row}" in page]
        assert f"ROW-{row}-END" in page
    # The stylesheet and the logo came through the fetcher; nothing was refused.
    assert mentions(pdf_log, f"PDF resource served: {STATIC}portal/pdf.css")
    assert mentions(pdf_log, f"PDF resource served: {STATIC}portal/pdf/logo.svg")
    assert not mentions(pdf_log, "refused")


def test_page_numbers_follow_the_translation_and_stay_text(pdf_templates, tmp_path, monkeypatch):
    def gettext(message):
        if message == "Page {page} of {pages}":
            return '{pages} pages: "page" {page} </style>'
        return message

    monkeypatch.setattr(pdf, "gettext", gettext)
    content = render_pdf("pdf/table.html", {"title": "T", "rows": ["001"]})
    (page,) = pdf_pages(content, tmp_path)
    assert '1 pages: "page" 1 </style>' in page


# --- Users' text -----------------------------------------------------------------


def test_html_in_free_text_is_printed_as_text_and_never_fetched(pdf_templates, tmp_path, pdf_log):
    content = render_pdf("pdf/note.html", {"title": "NCR", "note": "\n".join(HOSTILE_LINES)})

    text = "".join(pdf_pages(content, tmp_path))
    for line in HOSTILE_LINES:
        assert line in text
    for url in HOSTILE_URLS:
        assert not mentions(pdf_log, url)
    assert mentions(pdf_log, "PDF resource served")  # the log would have shown a fetch
    assert b"/EmbeddedFile" not in content


def test_unescaped_html_still_loads_nothing_but_static_files(pdf_templates, tmp_path, pdf_log):
    content = render_pdf("pdf/unsafe_note.html", {"title": "NCR", "note": "\n".join(HOSTILE_LINES)})

    for url in HOSTILE_URLS:
        assert mentions(pdf_log, f"PDF resource refused: {url}"), url
    assert b"/EmbeddedFile" not in content
    text = "".join(pdf_pages(content, tmp_path))
    assert "root:" not in text
    assert "evidence" in text  # the rest of the document is there


# --- Time limit and failures -------------------------------------------------------


@pytest.fixture
def forked(monkeypatch):
    """The pids of the renderer children started during the test."""
    pids = []
    real_fork = os.fork

    def fork():
        pid = real_fork()
        pids.append(pid)
        return pid

    monkeypatch.setattr(pdf.os, "fork", fork)
    return pids


def _is_our_child(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return int(status.rsplit(")", 1)[1].split()[1]) == os.getpid()  # field 4: ppid


def test_a_render_over_the_time_limit_is_killed(pdf_templates, forked):
    rows = [f"{n:04d}" for n in range(2000)]
    started = time.monotonic()
    with pytest.raises(PdfTimeout):
        render_pdf("pdf/table.html", {"title": "Long", "rows": rows}, time_limit=0.3)
    assert time.monotonic() - started < 3  # the template alone takes a fraction of that
    (pid,) = forked
    assert not _is_our_child(pid)  # killed and reaped: no zombie either


def in_the_child(monkeypatch, fake):
    """Replace weasyprint.HTML in renderer children; this process keeps the real one."""
    parent, real = os.getpid(), weasyprint.HTML

    def html(**kwargs):
        return real(**kwargs) if os.getpid() == parent else fake(**kwargs)

    monkeypatch.setattr(weasyprint, "HTML", html)


def test_a_weasyprint_error_is_a_render_error(pdf_templates, forked, monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("layout exploded")

    in_the_child(monkeypatch, broken)
    with pytest.raises(PdfRenderError):
        render_pdf("pdf/note.html", {"title": "T", "note": "x"})
    assert mentions(caplog, "RuntimeError: layout exploded")
    assert not _is_our_child(forked[0])


def test_a_renderer_that_dies_is_a_render_error(pdf_templates, forked, monkeypatch):
    in_the_child(monkeypatch, lambda **kwargs: os.kill(os.getpid(), signal.SIGKILL))
    with pytest.raises(PdfRenderError, match="signal 9"):
        render_pdf("pdf/note.html", {"title": "T", "note": "x"})
    assert not _is_our_child(forked[0])
