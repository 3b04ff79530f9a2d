"""`Idempotency-Key` on write endpoints, scoped per partner.

A replay of the same key and body returns the first response; the same key
with a different body gets 422; the same key while the first request is still
running gets 409. The key is reserved in its own committed transaction, so a
concurrent request sees it. A request that fails with an error is forgotten,
so the client may retry it with the same key.
"""

import functools
import hashlib
import json

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework.response import Response

from ..models import IdempotencyRecord
from .problems import problem

HEADER = "Idempotency-Key"


def _fingerprint(request) -> str:
    body = json.dumps(request.data, sort_keys=True, default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def idempotent(handler):
    @functools.wraps(handler)
    def wrapped(self, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if not key:
            return handler(self, request, *args, **kwargs)
        if len(key) > 255:
            return problem(400, _("The Idempotency-Key is longer than 255 characters."))
        partner = request.tenant
        fingerprint = _fingerprint(request)
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    partner=partner,
                    key=key,
                    fingerprint=fingerprint,
                    state=IdempotencyRecord.State.IN_FLIGHT,
                )
        except IntegrityError:
            record = IdempotencyRecord.objects.get(partner=partner, key=key)
            if record.fingerprint != fingerprint:
                return problem(422, _("This Idempotency-Key was used with a different request."))
            if record.state == IdempotencyRecord.State.IN_FLIGHT:
                return problem(409, _("A request with this Idempotency-Key is still running."))
            response = Response(record.response_body, status=record.status_code)
            response["Idempotent-Replayed"] = "true"
            return response
        try:
            response = handler(self, request, *args, **kwargs)
        except BaseException:
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
            raise
        if response.status_code >= 400:
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
            return response
        IdempotencyRecord.objects.filter(pk=record.pk).update(
            state=IdempotencyRecord.State.DONE,
            status_code=response.status_code,
            response_body=response.data,
        )
        return response

    return wrapped
