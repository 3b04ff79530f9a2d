"""Isolation wired into every layer: object permissions, sessions, cache, Celery, files."""

import os
import subprocess
import sys
import time
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django_tenants.utils import schema_context
from guardian.shortcuts import assign_perm

from tenants.partner import tasks
from tenants.partner.models import Document

from ..conftest import client_for


def _doc(title: str) -> Document:
    doc = Document(
        title=title, original_name="a.txt", content_type="text/plain", size=1, sha256="0" * 64
    )
    doc.file.save("a.txt", ContentFile(b"x"), save=False)
    doc.save()
    return doc


def test_object_permission_on_pk_in_partner_a_gives_nothing_in_partner_b(world):
    """Guardian's tables live in each partner schema: pk=1 in A is not pk=1 in B."""
    operator = world.user("alpha_operator")
    with schema_context("alpha"):
        with connection.cursor() as c:
            c.execute(
                "SELECT setval(pg_get_serial_sequence('partner_workspace_document', 'id'), 4000)"
            )
        doc_a = _doc("A's secret")
    with schema_context("beta"):
        with connection.cursor() as c:
            c.execute(
                "SELECT setval(pg_get_serial_sequence('partner_workspace_document', 'id'), 4000)"
            )
        doc_b = _doc("B's secret")
    assert doc_a.pk == doc_b.pk  # the same id in both schemas
    with schema_context("alpha"):
        assign_perm("partner_workspace.view_document", operator, doc_a)
        assert (
            type(operator)
            .objects.get(pk=operator.pk)
            .has_perm("partner_workspace.view_document", Document.objects.get(pk=doc_a.pk))
        )
    with schema_context("beta"):
        fresh = type(operator).objects.get(pk=operator.pk)  # no permission cache
        assert not fresh.has_perm(
            "partner_workspace.view_document", Document.objects.get(pk=doc_b.pk)
        )
    with schema_context("public"), connection.cursor() as c:
        c.execute("SELECT count(*) FROM public.guardian_userobjectpermission")
        assert c.fetchone()[0] == 0


def test_session_from_one_partner_host_is_not_valid_on_another(world):
    alpha_client = client_for(world.user("alpha_operator"), world.alpha)
    assert alpha_client.get("/").status_code == 200
    # The same cookie presented at beta's host: the session does not exist there.
    alpha_client.defaults["HTTP_HOST"] = world.beta.host()
    response = alpha_client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    # ...nor on the hub.
    alpha_client.defaults["HTTP_HOST"] = world.hub.host()
    assert alpha_client.get("/").status_code == 302


def test_cache_keys_carry_the_tenant(world):
    key = f"open-orders-{uuid.uuid4().hex}"
    with schema_context("alpha"):
        cache.set(key, "alpha's figure")
    with schema_context("beta"):
        assert cache.get(key) is None
        cache.set(key, "beta's figure")
    with schema_context("alpha"):
        assert cache.get(key) == "alpha's figure"
    assert settings.CACHES["default"]["KEY_FUNCTION"] == "django_tenants.cache.make_key"


def test_uploaded_files_live_in_per_partner_storage(world):
    with schema_context("alpha"):
        name = default_storage.save("documents/same-name.txt", ContentFile(b"alpha"))
        alpha_path = default_storage.path(name)
    with schema_context("beta"):
        assert not default_storage.exists(name)
        beta_path = default_storage.path("documents/same-name.txt")
    assert alpha_path.startswith(os.path.join(settings.MEDIA_ROOT, "alpha") + os.sep)
    assert beta_path.startswith(os.path.join(settings.MEDIA_ROOT, "beta") + os.sep)


def test_celery_task_runs_in_the_callers_schema_eagerly(world, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from portal.celery import app

    app.conf.task_always_eager = True
    try:
        with schema_context("beta"):
            result = tasks.document_verify.delay(world.beta_document_id).get()
        assert result["schema"] == "beta"
        with schema_context("alpha"):
            result = tasks.document_verify.delay(world.alpha_document_id).get()
        assert result == {"schema": "alpha", "document": world.alpha_document_id, "intact": False}
    finally:
        app.conf.task_always_eager = False


@pytest.mark.skipif(
    not os.environ.get("REDIS_URL") or not os.environ.get("DATABASE_URL"),
    reason="needs Redis and DATABASE_URL (bin/test provides both)",
)
def test_celery_task_through_a_real_redis_worker_runs_in_the_callers_schema(world, tmp_path):
    """A real worker process on a real Redis broker, against the test database."""
    from portal.celery import app

    # The worker uses the test database: same server as DATABASE_URL, test db name.
    parts = urlsplit(os.environ["DATABASE_URL"])
    url = urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))
    env = {**os.environ, "DATABASE_URL": url, "DMN_MEDIA_ROOT": settings.MEDIA_ROOT}
    queue = f"test-{os.getpid()}-{time.monotonic_ns()}"
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "WARNING",
        ],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        with schema_context("beta"):
            beta = tasks.document_verify.apply_async((world.beta_document_id,), queue=queue)
        with schema_context("alpha"):
            alpha = tasks.document_verify.apply_async((world.alpha_document_id,), queue=queue)
        assert beta.get(timeout=60)["schema"] == "beta"
        assert alpha.get(timeout=60)["schema"] == "alpha"
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
    assert app.conf.broker_url.startswith(("redis", "unix"))
