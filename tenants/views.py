"""Hub pages (registry, onboarding) and the pages every host has (home, members)."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.forms import form_add_service_error
from portal.tables import RequestConfig

from . import selectors, services
from .filters import PartnerFilter
from .forms import (
    CertificationForm,
    MemberInviteForm,
    MemberRoleForm,
    PartnerOnboardForm,
    PartnerStatusForm,
    PlantForm,
)
from .models import DataSharingAgreement
from .tables import MembershipTable, PartnerTable

PAGE_SIZE = 25


# --- The hub ------------------------------------------------------------------


def hub_home(request):
    context = {
        "partner_counts": selectors.partner_counts_by_status(),
        "expiring": selectors.certifications_expiring()[:10],
    }
    return render(request, "tenants/hub_home.html", context)


def partner_registry(request):
    filterset = PartnerFilter(request.GET or None, queryset=selectors.partner_list())
    table = PartnerTable(filterset.qs)
    RequestConfig(request, paginate={"per_page": PAGE_SIZE}).configure(table)
    return render(request, "tenants/registry.html", {"filter": filterset, "table": table})


def partner_detail(request, slug):
    partner = selectors.partner_get(slug=slug)
    context = {
        "partner": partner,
        "plants": selectors.partner_plants(partner=partner),
        "certifications": selectors.partner_certifications(partner=partner),
        "members": selectors.membership_list(partner=partner),
        "status_form": PartnerStatusForm(initial={"status": partner.status}),
        "releases": [
            DataSharingAgreement.Release(r).label
            for r in sorted(DataSharingAgreement.releases_for(partner))
        ],
    }
    return render(request, "tenants/partner_detail.html", context)


@require_http_methods(["GET", "POST"])
def partner_onboard(request):
    form = PartnerOnboardForm(request.POST or None, base_domain=settings.BASE_DOMAIN)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            partner = services.partner_provision(
                slug=data["slug"],
                name=data["name"],
                country=data["country"],
                admin_email=data["admin_email"],
                actor=request.user,
                request=request,
            )
        except ValidationError as exc:
            form_add_service_error(form, exc)
        except services.ProvisioningError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("%(partner)s is provisioned at %(host)s; an invitation went to %(email)s.")
                % {"partner": partner, "host": partner.host(), "email": data["admin_email"]},
            )
            return redirect("tenants:partner_detail", slug=partner.slug)
    return render(request, "tenants/onboard.html", {"form": form})


@require_POST
def partner_status(request, slug):
    partner = selectors.partner_get(slug=slug)
    form = PartnerStatusForm(request.POST)
    if form.is_valid():
        services.partner_set_status(
            partner=partner, status=form.cleaned_data["status"], actor=request.user, request=request
        )
        messages.success(
            request,
            _("Status of %(partner)s is now %(status)s.")
            % {"partner": partner, "status": partner.get_status_display()},
        )
    else:
        messages.error(request, _("Choose a valid status."))
    return redirect("tenants:partner_detail", slug=partner.slug)


def _partner_record_add(request, slug, *, form_class, save, title, done):
    """A hub form that adds one record to a partner's registry entry."""
    partner = selectors.partner_get(slug=slug)
    form = form_class(request.POST or None, partner=partner)
    if request.method == "POST" and form.is_valid():
        record = save(form=form, actor=request.user, request=request)
        messages.success(request, done % {"record": record})
        return redirect("tenants:partner_detail", slug=partner.slug)
    return render(
        request,
        "tenants/registry_form.html",
        {"partner": partner, "form": form, "title": title},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def partner_plant_add(request, slug):
    return _partner_record_add(
        request,
        slug,
        form_class=PlantForm,
        save=services.plant_add,
        title=_("Add a plant"),
        done=_("Plant %(record)s added."),
    )


@require_http_methods(["GET", "POST"])
def partner_certification_add(request, slug):
    return _partner_record_add(
        request,
        slug,
        form_class=CertificationForm,
        save=services.certification_add,
        title=_("Add a certification"),
        done=_("Certification %(record)s added."),
    )


# --- A partner ------------------------------------------------------------------


def partner_home(request):
    partner = request.tenant
    context = {
        "partner": partner,
        "plants": selectors.partner_plants(partner=partner),
        "certifications": selectors.partner_certifications(partner=partner),
    }
    return render(request, "tenants/partner_home.html", context)


# --- Members: a partner admin on its host, a network admin on the hub -------------


def member_list(request):
    table = MembershipTable(selectors.membership_list(partner=request.tenant))
    RequestConfig(request, paginate={"per_page": PAGE_SIZE}).configure(table)
    form = MemberInviteForm(hub=request.tenant.is_hub)
    return render(request, "tenants/members.html", {"table": table, "form": form})


@require_POST
def member_invite(request):
    form = MemberInviteForm(request.POST, hub=request.tenant.is_hub)
    if form.is_valid():
        try:
            services.user_invite(
                email=form.cleaned_data["email"],
                partner=request.tenant,
                role=form.cleaned_data["role"],
                actor=request.user,
                request=request,
            )
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, _("%(email)s was invited.") % form.cleaned_data)
            return redirect("members:list")
    table = MembershipTable(selectors.membership_list(partner=request.tenant))
    RequestConfig(request, paginate={"per_page": PAGE_SIZE}).configure(table)
    return render(request, "tenants/members.html", {"table": table, "form": form}, status=400)


@require_http_methods(["GET", "POST"])
def member_edit(request, pk):
    membership = selectors.membership_get(partner=request.tenant, pk=pk)
    form = MemberRoleForm(
        request.POST or None, hub=request.tenant.is_hub, initial={"role": membership.role}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_change_role(
                membership=membership,
                role=form.cleaned_data["role"],
                actor=request.user,
                request=request,
            )
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, _("Role changed."))
            return redirect("members:list")
    return render(request, "tenants/member_edit.html", {"membership": membership, "form": form})


@require_http_methods(["GET", "POST"])
def member_remove(request, pk):
    membership = selectors.membership_get(partner=request.tenant, pk=pk)
    error = None
    if request.method == "POST":
        try:
            services.membership_remove(membership=membership, actor=request.user, request=request)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request, _("%(user)s no longer has access.") % {"user": membership.user}
            )
            return redirect("members:list")
    return render(
        request,
        "tenants/member_remove.html",
        {"membership": membership, "error": error},
        status=400 if error else 200,
    )
