import django_tables2 as tables
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from .models import Document


class DocumentTable(tables.Table):
    title = tables.Column(verbose_name=_("Title"))
    kind = tables.Column(verbose_name=_("Kind"))
    original_name = tables.Column(verbose_name=_("File"))
    size = tables.Column(verbose_name=_("Size"))
    uploaded_by_label = tables.Column(verbose_name=_("Uploaded by"))
    uploaded_at = tables.DateTimeColumn(verbose_name=_("Uploaded"), format="SHORT_DATETIME_FORMAT")
    actions = tables.TemplateColumn(
        template_name="partner/_document_actions.html", verbose_name=_("Actions"), orderable=False
    )

    class Meta:
        model = Document
        fields = [
            "title",
            "kind",
            "original_name",
            "size",
            "uploaded_by_label",
            "uploaded_at",
            "actions",
        ]
        order_by = "-uploaded_at"
        empty_text = _("No documents yet. Upload certificates, drawings or specifications.")

    def render_size(self, value):
        return filesizeformat(value)

    def render_kind(self, record):
        return record.get_kind_display()
