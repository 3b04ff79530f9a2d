"""/capacity/ on a partner host: every member reads, the partner admin declares."""

from django.urls import path

from portal.access import member_required

from . import views

app_name = "capacity"

ANY = None
ADMIN = member_required(views.EDIT_ROLES)


def _rows(prefix: str, kind: str, *, editable: bool = True):
    """Add, change (if `editable`) and remove one kind of row, named by `<kind>_pk`."""
    row = f"{prefix}/<int:{kind}_pk>/"
    patterns = [
        path(f"{prefix}/new/", ADMIN(views.row_form), {"kind": kind}, name=f"{kind}_add"),
        path(f"{row}remove/", ADMIN(views.row_remove), {"kind": kind}, name=f"{kind}_remove"),
    ]
    if editable:
        patterns.append(
            path(f"{row}edit/", ADMIN(views.row_form), {"kind": kind}, name=f"{kind}_edit")
        )
    return patterns


urlpatterns = [
    path("", member_required(ANY)(views.overview), name="overview"),
    *_rows("work-centres", "work_centre"),
    *_rows("capabilities", "capability", editable=False),
    *_rows("downtime", "downtime"),
]
