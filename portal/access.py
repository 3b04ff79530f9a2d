"""Who may open which page: the one check every view declares.

Every view in both URL confs is wrapped in `member_required(...)` or
`public_view(...)`. Both record what they enforce on the view function
(`view.dmn_access`), and the permission-matrix test walks every URL and
fails on any view that declares nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.utils.translation import gettext as _

from tenants.models import Membership


@dataclass(frozen=True)
class Access:
    public: bool = False
    roles: frozenset[str] | None = None  # None: any member of this host
    api: bool = False  # answers 401/403 problem JSON instead of redirecting

    def allows(self, membership: Membership | None) -> bool:
        if self.public:
            return True
        if membership is None:
            return False
        return self.roles is None or membership.role in self.roles


def membership_for(request) -> Membership | None:
    """The signed-in user's membership on this host (hub or partner), cached per request."""
    if not hasattr(request, "_dmn_membership"):
        membership = None
        user = getattr(request, "user", None)
        tenant = getattr(request, "tenant", None)
        if user is not None and user.is_authenticated and getattr(tenant, "pk", None):
            membership = (
                Membership.objects.filter(user=user, partner_id=tenant.pk)
                .select_related("partner")
                .first()
            )
        request._dmn_membership = membership
    return request._dmn_membership


def forbidden(request, message: str | None = None):
    return render(
        request,
        "403.html",
        {"message": message or _("You do not have access to this page.")},
        status=403,
    )


def _declare(view: Callable, access: Access) -> Callable:
    view.dmn_access = access
    return view


def public_view(view: Callable) -> Callable:
    """A page anyone may open (sign-in, password reset, health)."""
    return _declare(view, Access(public=True))


def member_required(roles: Iterable[str] | None = None) -> Callable[[Callable], Callable]:
    """Only signed-in members of this host, and only in one of `roles` if given."""
    access = Access(roles=frozenset(roles) if roles is not None else None)

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = membership_for(request)
            if membership is None:
                return forbidden(
                    request,
                    _("Your account (%(user)s) is not a member of %(where)s.")
                    % {"user": request.user.get_username(), "where": request.tenant},
                )
            if not access.allows(membership):
                return forbidden(request, _("Your role does not allow this page."))
            request.membership = membership
            return view(request, *args, **kwargs)

        return _declare(wrapped, access)

    return decorator


def api_endpoint(view_class) -> Callable:
    """An API view for the URL conf: members of this host in `view_class.roles`
    (or any member), by session or by this partner's API key (see
    portal.api.permissions.MemberOrApiKey, which enforces it)."""
    roles = getattr(view_class, "roles", None)
    view = view_class.as_view()
    return _declare(view, Access(roles=frozenset(roles) if roles else None, api=True))
