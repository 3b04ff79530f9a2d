"""Background work in a partner's schema. Thin: take ids, call a service.

tenant-schemas-celery carries the schema of the code that queued a task in the
message, so the task runs in the same partner's schema."""

from portal.celery import app


@app.task
def document_render(render_id: int) -> str:
    from django.db import connection

    from tenants.models import Partner

    from .documents.services import document_render_run

    # The task's schema is its partner's, as a request's host is: the entry point
    # names the partner, the service takes it.
    partner = Partner.objects.get(schema_name=connection.schema_name)
    return document_render_run(partner=partner, render_id=render_id).status
