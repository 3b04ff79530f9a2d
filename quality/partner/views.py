"""The landing page of a partner's quality pages (/quality/): open NCRs, recent
pieces out of tolerance and characteristics below the capability target. Each
sub-domain's pages are in its own package: inspections, first_article, ncrs,
documents and access."""

from __future__ import annotations

from django.shortcuts import render

from quality.spc import CPK_TARGET

from . import roles
from .inspections import selectors as inspection_selectors
from .models import NonConformance
from .ncrs import selectors as ncr_selectors


def home(request):
    open_ncrs = list(
        ncr_selectors.ncr_list()
        .exclude(status=NonConformance.Status.CLOSED)
        .order_by("-raised_at")[:10]
    )
    open_count = ncr_selectors.ncr_open_counts()
    recent_bad = list(inspection_selectors.inspection_list().filter(conforming=False)[:10])
    return render(
        request,
        "quality/partner/home.html",
        {
            "open_ncrs": open_ncrs,
            "open_count": open_count,
            "recent_bad": recent_bad,
            "low_capability": inspection_selectors.low_capability(),
            "cpk_target": CPK_TARGET,
            "scan": inspection_selectors.LOW_CAPABILITY_SCAN,
            "is_admin": request.membership.role in roles.ADMIN_ROLES,
        },
    )
