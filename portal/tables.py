import django_tables2 as tables
from django.core.paginator import EmptyPage
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry

# The most rows one page of a table shows, whatever `per_page` the address asks for.
MAX_PER_PAGE = 100


def _positive_int(value: str | None) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


class RequestConfig(tables.RequestConfig):
    """django-tables2's RequestConfig for every table of the portal: sorts and
    paginates from the query string, and no query string makes it fail.

    `per_page` is used only when it is a positive number, and at most
    MAX_PER_PAGE (or the view's own page size, if larger); otherwise the view's
    page size. `page` shows the first page when it is not a positive number and
    the last when it is past the end. An unknown sort key is ignored, as
    django-tables2 does.
    """

    def configure(self, table):
        table.request = self.request
        order_by = self.request.GET.getlist(table.prefixed_order_by_field)
        if order_by:
            table.order_by = order_by
        if not self.paginate:
            return table
        options = dict(self.paginate) if hasattr(self.paginate, "items") else {}
        options.pop("silent", None)
        per_page = _positive_int(self.request.GET.get(table.prefixed_per_page_field))
        if per_page is not None:
            options["per_page"] = min(per_page, max(MAX_PER_PAGE, options.get("per_page") or 0))
        page = _positive_int(self.request.GET.get(table.prefixed_page_field)) or 1
        try:
            table.paginate(page=page, **options)
        except EmptyPage:
            table.page = table.paginator.page(table.paginator.num_pages)
        return table


class AuditEntryTable(tables.Table):
    at = tables.DateTimeColumn(verbose_name=_("When"), format="SHORT_DATETIME_FORMAT")
    actor_label = tables.Column(verbose_name=_("Who"))
    action = tables.Column(verbose_name=_("What"))
    partner = tables.Column(verbose_name=_("Partner"), default="—")
    object = tables.Column(
        verbose_name=_("Object"), accessor="object_type", orderable=False, default=""
    )
    reason = tables.Column(verbose_name=_("Why"), default="")
    ip_address = tables.Column(verbose_name=_("IP address"), default="")

    class Meta:
        model = AuditEntry
        fields = ["at", "actor_label", "action", "partner", "object", "reason", "ip_address"]
        order_by = "-at"
        empty_text = _("No audit entries match these filters.")

    def render_object(self, record):
        return f"{record.object_type} #{record.object_id}" if record.object_id else ""
