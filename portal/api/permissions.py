from django.utils.translation import gettext as _
from rest_framework import permissions

from ..access import membership_for


class MemberOrApiKey(permissions.BasePermission):
    """A member of this host with one of the view's `roles` (session), or this
    partner's API key with the scope the method needs (read for safe methods).

    The API-key authentication (in `integrations`) puts the key in
    `request.auth` (a session leaves it empty); the key tells whether it may
    write, so this class needs no key model and the core imports no
    `integrations`."""

    message = _("You do not have access to this resource.")

    def has_permission(self, request, view):
        if hasattr(request.auth, "may_write"):
            if request.method in permissions.SAFE_METHODS:
                return True
            if not request.auth.may_write:
                self.message = _("This API key may only read.")
                return False
            return True
        if not (request.user and request.user.is_authenticated):
            return False
        membership = membership_for(request._request)
        if membership is None:
            return False
        roles = getattr(view, "roles", None)
        write_roles = getattr(view, "write_roles", None)
        if request.method not in permissions.SAFE_METHODS and write_roles is not None:
            return membership.role in write_roles
        return roles is None or membership.role in roles
