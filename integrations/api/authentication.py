from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from ..models import ApiKey

KEYWORD = "Api-Key"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Api-Key <prefix>.<secret>`, valid only on its own partner's host.

    The request acts as the member who issued the key; `request.auth` is the key,
    whose scope the permission class checks.
    """

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header.startswith(f"{KEYWORD} "):
            return None
        token = header[len(KEYWORD) + 1 :].strip()
        prefix, _sep, secret = token.partition(".")
        tenant = getattr(request, "tenant", None)
        key = (
            ApiKey.objects.select_related("created_by")
            .filter(prefix=prefix, partner_id=getattr(tenant, "pk", None))
            .first()
        )
        if key is None or not secret or not key.matches(secret):
            raise exceptions.AuthenticationFailed(_("Invalid API key for this host."))
        if not key.is_active:
            raise exceptions.AuthenticationFailed(_("This API key was revoked."))
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
        return key.created_by, key

    def authenticate_header(self, request):
        return KEYWORD
