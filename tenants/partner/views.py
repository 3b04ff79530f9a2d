from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.forms import form_add_service_error
from portal.tables import RequestConfig
from portal.uploads import download_response

from . import selectors, services
from .forms import DocumentGrantForm, DocumentUploadForm
from .tables import DocumentTable

PAGE_SIZE = 25


def document_list(request):
    documents = selectors.document_list_for_user(user=request.user, membership=request.membership)
    table = DocumentTable(documents)
    RequestConfig(request, paginate={"per_page": PAGE_SIZE}).configure(table)
    return render(request, "partner/documents.html", {"table": table, "form": DocumentUploadForm()})


@require_http_methods(["GET", "POST"])
def document_upload(request):
    form = DocumentUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            document = services.document_upload(
                partner=request.tenant,
                uploaded=form.cleaned_data["file"],
                checked=form.checked,
                title=form.cleaned_data["title"],
                kind=form.cleaned_data["kind"],
                restricted=form.cleaned_data["restricted"],
                user=request.user,
                request=request,
            )
            messages.success(request, _("“%(title)s” was uploaded.") % {"title": document.title})
            return redirect("documents:list")
        return render(request, "partner/document_upload.html", {"form": form}, status=400)
    return render(request, "partner/document_upload.html", {"form": form})


def document_download(request, pk):
    document = selectors.document_get_for_user(
        user=request.user, membership=request.membership, pk=pk
    )
    services.document_downloaded(
        partner=request.tenant, document=document, user=request.user, request=request
    )
    return download_response(
        document.file.open("rb"),
        filename=document.original_name,
        content_type=document.content_type,
    )


@require_http_methods(["GET", "POST"])
def document_grant(request, pk):
    document = selectors.document_get_for_user(
        user=request.user, membership=request.membership, pk=pk
    )
    form = DocumentGrantForm(request.POST or None, partner=request.tenant)
    if request.method == "POST" and form.is_valid():
        try:
            services.document_grant_view(
                partner=request.tenant,
                document=document,
                user=form.user,
                actor=request.user,
                request=request,
            )
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("%(email)s may now see “%(title)s”.")
                % {"email": form.cleaned_data["email"], "title": document.title},
            )
            return redirect("documents:list")
    return render(request, "partner/document_grant.html", {"document": document, "form": form})
