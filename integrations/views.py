"""A partner admin issues and revokes its API keys."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import selectors, services
from .forms import ApiKeyForm


def api_key_list(request):
    keys = selectors.api_key_list(partner=request.tenant)
    form = ApiKeyForm(request.POST or None)
    plaintext = None
    if request.method == "POST" and form.is_valid():
        key, plaintext = services.api_key_issue(
            partner=request.tenant,
            name=form.cleaned_data["name"],
            scope=form.cleaned_data["scope"],
            actor=request.user,
            request=request,
        )
        messages.success(
            request,
            _("Key “%(name)s” issued. Copy it now: it is not shown again.") % {"name": key.name},
        )
        form = ApiKeyForm()
    return render(
        request,
        "integrations/api_keys.html",
        {"keys": keys, "form": form, "plaintext": plaintext},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def api_key_revoke(request, pk):
    key = selectors.api_key_get(partner=request.tenant, pk=pk)
    if request.method == "POST":
        services.api_key_revoke(key=key, actor=request.user, request=request)
        messages.success(request, _("Key “%(name)s” is revoked.") % {"name": key.name})
        return redirect("api_keys:list")
    return render(request, "integrations/api_key_revoke.html", {"key": key})
