import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django_tenants.utils import schema_context

from portal.models import AuditEntry
from tenants.partner.models import Document

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def upload(client, name, content, **extra):
    data = {"title": "Evidence", "kind": "other", "file": SimpleUploadedFile(name, content)}
    data.update(extra)
    return client.post("/documents/upload/", data)


def count(schema="alpha"):
    with schema_context(schema):
        return Document.objects.count()


def test_upload_a_pdf_then_download_it_as_attachment(as_user, world):
    client = as_user("alpha_operator", world.alpha)
    response = upload(client, "cert.pdf", PDF)
    assert response.status_code == 302
    with schema_context("alpha"):
        doc = Document.objects.get(original_name="cert.pdf")
        assert doc.content_type == "application/pdf"
        assert doc.file.name.startswith("documents/") and "cert" not in doc.file.name
    response = client.get(f"/documents/{doc.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == PDF
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"file.uploaded", "file.downloaded"} <= actions


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("report.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "not accepted"),
        ("report.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "not accepted"),
        (
            "drawing.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>',
            "not accepted",
        ),
        ("bundle.zip", b"PK\x03\x04\x14\x00\x00\x00\x08\x00", "not accepted"),
        ("photo.pdf", PNG, "does not match its name"),
        ("empty.txt", b"", "empty"),
    ],
)
def test_bad_files_are_rejected_with_a_message_and_nothing_stored(
    as_user, world, name, content, message
):
    before = count()
    response = upload(as_user("alpha_operator", world.alpha), name, content)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert count() == before


def test_file_over_the_limit_is_rejected(as_user, world):
    with override_settings(DMN_UPLOAD_MAX_BYTES=1024):
        response = upload(as_user("alpha_operator", world.alpha), "big.txt", b"a" * 2048)
    assert response.status_code == 400
    assert "the limit is 1.0\xa0KB" in response.content.decode()


def test_hostile_names_are_kept_as_data_only(as_user, world):
    client = as_user("alpha_operator", world.alpha)
    assert upload(client, "../../etc/passwd.txt", b"root").status_code == 302
    long_name = "n" * 296 + ".txt"
    assert upload(client, long_name, b"text").status_code == 302
    with schema_context("alpha"):
        names = set(Document.objects.values_list("original_name", flat=True))
        stored = list(Document.objects.values_list("file", flat=True))
    assert "passwd.txt" in names
    assert any(len(n) == 255 and n.endswith(".txt") for n in names)
    assert all(name.startswith("documents/") and ".." not in name for name in stored)


def test_restricted_document_needs_a_grant(as_user, world):
    admin = as_user("alpha_admin", world.alpha)
    assert upload(admin, "secret.txt", b"secret", restricted="on").status_code == 302
    with schema_context("alpha"):
        doc = Document.objects.get(original_name="secret.txt")
    operator = as_user("alpha_operator", world.alpha)
    assert b"secret.txt" not in operator.get("/documents/").content
    assert operator.get(f"/documents/{doc.pk}/download/").status_code == 404
    response = admin.post(f"/documents/{doc.pk}/grant/", {"email": "alpha_operator@example.test"})
    assert response.status_code == 302
    assert operator.get(f"/documents/{doc.pk}/download/").status_code == 200
    # A grant names members of this partner only.
    response = admin.post(f"/documents/{doc.pk}/grant/", {"email": "beta_operator@example.test"})
    assert b"No member of Alpha Machining" in response.content


def test_document_ids_are_per_partner_and_never_cross(as_user, world):
    """beta's document id, asked for on alpha's host, opens alpha's own file or
    nothing: never beta's bytes."""
    beta = as_user("beta_operator", world.beta).get(
        f"/documents/{world.beta_document_id}/download/"
    )
    assert b"".join(beta.streaming_content) == b"beta"
    alpha = as_user("alpha_operator", world.alpha).get(
        f"/documents/{world.beta_document_id}/download/"
    )
    if alpha.status_code == 200:
        assert b"".join(alpha.streaming_content) == b"alpha"
    else:
        assert alpha.status_code == 404
    assert (
        as_user("alpha_operator", world.alpha).get("/documents/999999/download/").status_code == 404
    )


def test_upload_queues_a_check_of_the_stored_file(
    as_user, world, django_capture_on_commit_callbacks
):
    from portal.celery import app

    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = upload(as_user("alpha_operator", world.alpha), "checked.txt", b"intact")
    finally:
        app.conf.task_always_eager = False
    assert response.status_code == 302
    with schema_context("alpha"):
        assert Document.objects.get(original_name="checked.txt").verified_at is not None


def test_latin_1_text_is_accepted_as_text(as_user, world):
    content = "Maß;Prüfer;Öl\n12,5;Jürgen;ja\n".encode("latin-1")
    response = upload(as_user("alpha_operator", world.alpha), "export.csv", content)
    assert response.status_code == 302
    with schema_context("alpha"):
        assert Document.objects.get(original_name="export.csv").content_type == "text/csv"
