import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ..models import MeasurementAccess


class MeasurementAccessTable(tables.Table):
    user_label = tables.Column(verbose_name=_("Hub user"))
    reason = tables.Column(verbose_name=_("Reason"))
    granted_at = tables.DateTimeColumn(verbose_name=_("Granted"), format="SHORT_DATETIME_FORMAT")
    granted_by_label = tables.Column(verbose_name=_("Granted by"))
    expires_at = tables.DateTimeColumn(verbose_name=_("Ends"), format="SHORT_DATETIME_FORMAT")
    state = tables.Column(verbose_name=_("State"), empty_values=(), orderable=False)
    actions = tables.Column(verbose_name=_("Actions"), empty_values=(), orderable=False)

    class Meta:
        model = MeasurementAccess
        fields = [
            "user_label",
            "reason",
            "granted_at",
            "granted_by_label",
            "expires_at",
            "state",
            "actions",
        ]
        order_by = "-granted_at"
        empty_text = _("No hub user has been given access to your raw measurements.")

    @staticmethod
    def state_of(record) -> str:
        if record.revoked_at is not None:
            return "revoked"
        return "active" if record.expires_at > timezone.now() else "expired"

    def render_state(self, record):
        state = self.state_of(record)
        labels = {"active": _("Active"), "expired": _("Expired"), "revoked": _("Revoked")}
        return format_html('<span class="badge badge-grant-{}">{}</span>', state, labels[state])

    def render_actions(self, record):
        if self.state_of(record) != "active":
            return ""
        return format_html(
            '<a href="{}">{}<span class="sr-only"> {}</span></a>',
            reverse("quality:access_revoke", args=[record.pk]),
            _("Revoke"),
            record.user_label,
        )
