import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry


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
