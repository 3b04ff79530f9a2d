import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from portal.audit import audit_record

from ..models import ApiKey
from ..vocabulary import API_KEY_AUTH_FAILED

KEYWORD = "Api-Key"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Api-Key <prefix>.<secret>`, valid only on its own partner's host.

    The request acts as the member who issued the key; `request.auth` is the key,
    whose scope the permission class checks.

    Every refusal is audited and counted per key prefix and client address:
    after DMN_API_KEY_FAILURE_LIMIT of them within DMN_API_KEY_FAILURE_WINDOW
    seconds, that prefix from that address gets 429 with Retry-After, and its
    secret is not even checked, until the window ends. The same key from any
    other address is not affected, so an attacker cannot lock out a client.
    """

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header.startswith(f"{KEYWORD} "):
            return None
        token = header[len(KEYWORD) + 1 :].strip()
        prefix, _sep, secret = token.partition(".")
        failures = _Failures(prefix=prefix, address=request.META.get("REMOTE_ADDR") or "")
        wait = failures.wait()
        if wait is not None:
            raise exceptions.Throttled(
                wait=wait,
                detail=_("Too many failed attempts with this API key from your address."),
            )
        tenant = getattr(request, "tenant", None)
        key = (
            ApiKey.objects.select_related("created_by")
            .filter(prefix=prefix, partner_id=getattr(tenant, "pk", None))
            .first()
        )
        if key is None or not secret or not key.matches(secret):
            failures.record(request=request, key=key, reason="invalid")
            raise exceptions.AuthenticationFailed(_("Invalid API key for this host."))
        if not key.is_active:
            failures.record(request=request, key=key, reason="revoked")
            raise exceptions.AuthenticationFailed(_("This API key was revoked."))
        failures.clear()
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
        return key.created_by, key

    def authenticate_header(self, request):
        return KEYWORD


class _Failures:
    """Refused attempts of one key prefix from one client address, in the cache
    (Redis; django-tenants' key function adds the host's schema), in fixed
    windows: a counter and the time the window began, both expiring with it."""

    def __init__(self, *, prefix: str, address: str):
        # The prefix is the client's text: hash it into a key of fixed shape.
        digest = hashlib.sha256(f"{prefix}\0{address}".encode()).hexdigest()[:32]
        self.prefix = prefix[:32]
        self.count_key = f"api-key-failures:{digest}:count"
        self.since_key = f"api-key-failures:{digest}:since"
        self.limit = settings.DMN_API_KEY_FAILURE_LIMIT
        self.window = settings.DMN_API_KEY_FAILURE_WINDOW

    def wait(self) -> int | None:
        """Seconds until this prefix may be tried again from this address, or None."""
        if (cache.get(self.count_key) or 0) < self.limit:
            return None
        since = cache.get(self.since_key) or time.time()
        return max(1, math.ceil(since + self.window - time.time()))

    def record(self, *, request, key: ApiKey | None, reason: str) -> None:
        cache.add(self.since_key, time.time(), timeout=self.window)
        cache.add(self.count_key, 0, timeout=self.window)
        try:
            count = cache.incr(self.count_key)
        except ValueError:  # the window ended between the two calls
            count = 1
            cache.set(self.count_key, count, timeout=self.window)
        audit_record(
            action=API_KEY_AUTH_FAILED,
            actor_label=f"{KEYWORD} {self.prefix}",
            obj=key,
            object_type=ApiKey._meta.label,
            reason=reason,
            request=getattr(request, "_request", request),
            prefix=self.prefix,
            failures=count,
            throttled=count >= self.limit,
        )

    def clear(self) -> None:
        cache.delete_many([self.count_key, self.since_key])
