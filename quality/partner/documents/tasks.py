"""Background work of a work order's documents, in a partner's schema. Thin:
take ids, call a service.

tenant-schemas-celery carries the schema of the code that queued a task in the
message, so the task runs in the same partner's schema."""

from portal.celery import app


# Found by the worker through CELERY_IMPORTS (autodiscovery looks for
# quality.partner.tasks), under its name from before documents had a package:
# queued messages and routes use it.
@app.task(name="quality.partner.tasks.document_render")
def document_render(render_id: int) -> str:
    from django.db import connection

    from tenants.models import Partner

    from .services import document_render_run

    # The task's schema is its partner's, as a request's host is: the entry point
    # names the partner, the service takes it.
    partner = Partner.objects.get(schema_name=connection.schema_name)
    return document_render_run(partner=partner, render_id=render_id).status
