"""Background work in a partner's schema. Thin: take ids, call a service.

tenant-schemas-celery carries the schema of the code that queued a task in the
message, so the task runs in the same partner's schema."""

from portal.celery import app


@app.task
def document_render(render_id: int) -> str:
    from .document_services import document_render_run

    return document_render_run(render_id=render_id).status
