"""A partner admin issues and revokes its API keys."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from integrations.vocabulary import API_KEY_ISSUED, API_KEY_REVOKED
from portal.audit import audit_record

from .forms import ApiKeyForm
from .models import ApiKey


def api_key_list(request):
    keys = ApiKey.objects.filter(partner=request.tenant).select_related("created_by")
    form = ApiKeyForm(request.POST or None)
    plaintext = None
    if request.method == "POST" and form.is_valid():
        key, plaintext = ApiKey.issue(
            partner=request.tenant,
            name=form.cleaned_data["name"],
            scope=form.cleaned_data["scope"],
            created_by=request.user,
        )
        audit_record(
            action=API_KEY_ISSUED,
            actor=request.user,
            obj=key,
            request=request,
            prefix=key.prefix,
            scope=key.scope,
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
    key = get_object_or_404(ApiKey, partner=request.tenant, pk=pk)
    if request.method == "POST":
        if key.is_active:
            key.revoke()
            audit_record(
                action=API_KEY_REVOKED,
                actor=request.user,
                obj=key,
                request=request,
                prefix=key.prefix,
            )
        messages.success(request, _("Key “%(name)s” is revoked.") % {"name": key.name})
        return redirect("api_keys:list")
    return render(request, "integrations/api_key_revoke.html", {"key": key})
