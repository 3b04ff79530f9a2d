"""Background work in a partner's schema. Thin: take ids, call a service."""

from portal.celery import app


@app.task
def document_verify(document_id: int) -> dict:
    from .services import document_verify as verify

    return verify(document_id=document_id)
