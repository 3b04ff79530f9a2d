from django.conf import settings

from .access import membership_for


def portal(request):
    tenant = getattr(request, "tenant", None)
    return {
        "tenant": tenant,
        "is_hub": bool(tenant is not None and getattr(tenant, "is_hub", False)),
        "membership": membership_for(request) if tenant is not None else None,
        "base_domain": settings.BASE_DOMAIN,
    }
