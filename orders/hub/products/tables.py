import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from ..models.products import Product


class ProductTable(tables.Table):
    code = tables.LinkColumn("products:detail", args=[tables.A("pk")], verbose_name=_("Code"))
    name = tables.Column(verbose_name=_("Name"))
    released = tables.Column(verbose_name=_("Released revision"), empty_values=(), orderable=False)
    revision_count = tables.Column(verbose_name=_("Revisions"))

    class Meta:
        model = Product
        fields = ["code", "name", "released", "revision_count"]
        order_by = "code"
        empty_text = _("No products match.")

    def render_released(self, record):
        return record.released[0].revision if record.released else "—"
