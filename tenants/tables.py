import django_tables2 as tables
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from .models import Membership, Partner


def display_name(user) -> str:
    """The person's name; invited members have none yet (their user name is their e-mail)."""
    if user.get_full_name():
        return user.get_full_name()
    return "—" if user.username == user.email else user.username


class PartnerTable(tables.Table):
    name = tables.LinkColumn(
        "tenants:partner_detail", args=[tables.A("slug")], verbose_name=_("Partner")
    )
    # Read the name from the Country object: a column on the field itself makes
    # django-tables2 call get_country_display(), which walks all 250 country
    # choices for every row.
    country = tables.Column(
        verbose_name=_("Country"), accessor="country__name", order_by="country", default="—"
    )
    status = tables.Column(verbose_name=_("Status"))
    plants = tables.Column(verbose_name=_("Plants"), accessor="plant_count")
    certifications = tables.Column(
        verbose_name=_("Certifications"),
        accessor="certs_valid",
        order_by=("-certs_expired", "-certs_expiring"),
    )
    member_count = tables.Column(verbose_name=_("Members"))

    class Meta:
        model = Partner
        fields = ["name", "country", "status", "plants", "certifications", "member_count"]
        order_by = "name"
        empty_text = _("No partners match these filters.")

    def render_status(self, record):
        return format_html(
            '<span class="badge badge-{}">{}</span>', record.status, record.get_status_display()
        )

    def render_plants(self, record):
        plants = list(record.plants.all())
        if not plants:
            return _("none yet")
        return format_html(
            '<ul class="inline-list">{}</ul>',
            format_html_join(
                "", "<li>{} <small>({})</small></li>", ((p.name, p.country.code) for p in plants)
            ),
        )

    def render_certifications(self, record):
        parts = [
            format_html(
                '<span class="badge badge-valid">{} {}</span>', record.certs_valid, _("valid")
            )
        ]
        if record.certs_expiring:
            parts.append(
                format_html(
                    '<span class="badge badge-expiring">{} {}</span>',
                    record.certs_expiring,
                    _("expiring"),
                )
            )
        if record.certs_expired:
            parts.append(
                format_html(
                    '<span class="badge badge-expired">{} {}</span>',
                    record.certs_expired,
                    _("expired"),
                )
            )
        return format_html_join(" ", "{}", ((p,) for p in parts))


class MembershipTable(tables.Table):
    user = tables.Column(
        verbose_name=_("Name"),
        accessor="user__username",
        order_by=("user__last_name", "user__username"),
    )
    email = tables.Column(verbose_name=_("E-mail"), accessor="user__email")
    role = tables.Column(verbose_name=_("Role"))
    created_at = tables.DateColumn(verbose_name=_("Since"), format="SHORT_DATE_FORMAT")
    last_login = tables.DateTimeColumn(
        verbose_name=_("Last sign-in"),
        accessor="user__last_login",
        format="SHORT_DATETIME_FORMAT",
        default=_("never"),
    )
    actions = tables.TemplateColumn(
        template_name="tenants/_member_actions.html", verbose_name=_("Actions"), orderable=False
    )

    class Meta:
        model = Membership
        fields = ["user", "email", "role", "created_at", "last_login", "actions"]
        order_by = "user"
        empty_text = _("No members yet.")

    def render_user(self, record):
        return display_name(record.user)

    def render_role(self, record):
        return record.get_role_display()
