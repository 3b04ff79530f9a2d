"""Who may do what on the partner's quality pages (the URL confs declare it):
every member reads, records inspections and raises NCRs; disposition, CAPA,
closing an NCR, the first article inspection and issuing a certificate need the
quality role or partner admin; granting the hub access to raw measurements needs
partner admin."""

ALL_ROLES = ("operator", "quality", "partner_admin")
QUALITY_ROLES = ("quality", "partner_admin")
ADMIN_ROLES = ("partner_admin",)


def is_quality(request) -> bool:
    return request.membership.role in QUALITY_ROLES
