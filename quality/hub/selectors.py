"""Reads of the hub's network quality view.

Everything but raw measurements comes from what partners publish to the public
schema (quality.publish and the network ledger). Raw measurements are read only
through the audited door (tenants.door.partner_schema), and only when the
partner releases them ("quality_raw") or has granted the signed-in hub user a
running time-boxed access. Rows of export-controlled orders that the user is not
cleared for are left out everywhere, as on the order board.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FloatField,
    IntegerField,
    JSONField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, JSONObject, NullIf
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from orders import vocabulary
from orders.hub.models import Dispatch, NetworkOrder, Product
from orders.hub.orders.selectors import orders_visible_to
from portal.models import LedgerEvent
from quality import publish
from tenants.door import partner_schema
from tenants.models import Partner

from .models import (
    CharacteristicCapability,
    IssuedDocument,
    NcrSummary,
    UseAsIsRequest,
    WorkOrderQuality,
)

CPK_TARGET = 1.33
# Open NCRs by age in whole days since they were opened: (key, first day, last day).
AGE_BUCKETS = (
    ("age_0_7", 0, 7),
    ("age_8_30", 8, 30),
    ("age_31_90", 31, 90),
    ("age_over_90", 91, None),
)
RAW_VALUES_LIMIT = 5000  # newest values shown per characteristic


def _visible_order_numbers(user) -> QuerySet:
    return orders_visible_to(user).values("number")


def _hidden_order_numbers(user) -> list[str]:
    """Export-controlled orders `user` is not cleared for (usually none or few)."""
    return list(
        NetworkOrder.objects.filter(export_controlled=True)
        .exclude(pk__in=orders_visible_to(user).values("pk"))
        .values_list("number", flat=True)
    )


def partner_get(*, slug: str) -> Partner:
    return get_object_or_404(Partner.objects.partners(), slug=slug)


def product_get(*, code: str) -> Product:
    return get_object_or_404(Product, code=code)


# --- the network overview -------------------------------------------------------------


def _figures(queryset: QuerySet, **fields) -> Subquery:
    """Aggregates over `queryset` (narrowed to one partner and product by outer
    references) as one JSON object: one subquery per source table, whatever the
    number of figures taken from it. NULL when the table has no row."""
    return Subquery(
        queryset.order_by()
        .values("partner")
        .annotate(figures=JSONObject(**fields))
        .values("figures")[:1],
        output_field=JSONField(),
    )


def _share(numerator, denominator, scale: float = 1.0):
    """numerator / denominator as a float, NULL when the denominator is 0."""
    return Cast(numerator, FloatField()) * Value(scale) / NullIf(denominator, Value(0))


def figure(name: str, output_field=None):
    """One figure of a row, for ordering and filtering: `"<source>__<key>"`."""
    return Cast(KT(name), output_field or FloatField())


def network_quality_rows(*, user, now: datetime.datetime | None = None) -> QuerySet:
    """One row (a dict) per partner and product that the hub has dispatched work
    for and that has quality data published: inspections, NCRs or capability
    (its scrap rate then comes from the progress reports of the ledger). A row
    holds one JSON object per source, computed by one correlated subquery each,
    so the page costs the same number of queries (and the database the same
    number of subplans) whatever the rows:

    - `inspections` (WorkOrderQuality): pieces inspected and conforming,
      first-pass yield (`fpy`: pieces passing their first inspection / pieces
      inspected for the first time), `ppm` defective (nonconforming inspected
      pieces per million inspected);
    - `ledger` (progress events of the network ledger): units `good` and `scrap`
      reported over every operation, `scrap_rate` = scrap / (good + scrap);
    - `ncrs` (NcrSummary): NCRs `opened`, `open`, open ones by age in whole days
      since opened (AGE_BUCKETS);
    - `capability` (CharacteristicCapability): characteristics, how many are
      `below` Cpk 1.33, the `lowest` Cpk.
    """
    now = now or timezone.now()
    visible_orders = orders_visible_to(user)
    visible = visible_orders.values("number")
    dispatches = Dispatch.objects.filter(order__in=visible_orders)
    partner, product = OuterRef("partner"), OuterRef("product_code")
    inspections = WorkOrderQuality.objects.filter(
        partner=partner, product_code=product, order_number__in=visible
    )
    ncrs = NcrSummary.objects.filter(
        partner=partner, product_code=product, order_number__in=visible
    )
    capability = CharacteristicCapability.objects.filter(partner=partner, product_code=product)
    progress = LedgerEvent.objects.filter(
        kind=vocabulary.PROGRESS,
        partner=partner,
        work_order_number__in=dispatches.filter(
            partner=OuterRef(OuterRef("partner")),
            order__revision__product=OuterRef(OuterRef("product_id")),
        ).values("work_order_number"),
    )
    good = Coalesce(Sum(Cast(KT("payload__good"), IntegerField())), Value(0))
    scrap = Coalesce(Sum(Cast(KT("payload__scrap"), IntegerField())), Value(0))
    is_open = ~Q(status="closed")
    buckets = {}
    for key, first, last in AGE_BUCKETS:
        ages = is_open & Q(opened_at__lte=now - datetime.timedelta(days=first))
        if last is not None:
            ages &= Q(opened_at__gt=now - datetime.timedelta(days=last + 1))
        buckets[key] = Count("id", filter=ages)
    # One dispatch stands for each partner and product (its first), so that no
    # GROUP BY makes the database compute the figures for every dispatch.
    first_dispatch = (
        dispatches.filter(
            partner=OuterRef("partner"),
            order__revision__product=OuterRef("order__revision__product"),
        )
        .order_by("pk")
        .values("pk")[:1]
    )
    rows = (
        dispatches.filter(pk=Subquery(first_dispatch))
        .values(
            "partner",
            partner_name=F("partner__name"),
            partner_slug=F("partner__slug"),
            product_id=F("order__revision__product"),
            product_code=F("order__revision__product__code"),
            product_name=F("order__revision__product__name"),
        )
        # Quality data published: a pair with progress reports alone (scrap, but
        # no inspections, NCRs or capability) is not listed.
        .filter(Exists(inspections) | Exists(ncrs) | Exists(capability))
        .annotate(
            work_orders=Subquery(
                dispatches.filter(partner=partner, order__revision__product=OuterRef("product_id"))
                .exclude(status=Dispatch.Status.REJECTED)
                .order_by()
                .values("partner")
                .annotate(n=Count("pk"))
                .values("n")[:1]
            ),
            inspections=_figures(
                inspections,
                pieces_inspected=Sum("pieces_inspected"),
                pieces_conforming=Sum("pieces_conforming"),
                first_pass_inspected=Sum("first_pass_inspected"),
                first_pass_conforming=Sum("first_pass_conforming"),
                fpy=_share(Sum("first_pass_conforming"), Sum("first_pass_inspected")),
                ppm=_share(
                    Sum("pieces_inspected") - Sum("pieces_conforming"),
                    Sum("pieces_inspected"),
                    1_000_000.0,
                ),
            ),
            ledger=_figures(
                progress, good=good, scrap=scrap, scrap_rate=_share(scrap, good + scrap)
            ),
            ncrs=_figures(ncrs, opened=Count("id"), open=Count("id", filter=is_open), **buckets),
            capability=_figures(
                capability,
                characteristics=Count("id"),
                below=Count("id", filter=Q(cpk__lt=CPK_TARGET)),
                lowest=Min("cpk"),
            ),
        )
        .order_by("partner_name", "product_code")
    )
    return rows


def rows_below_target(rows: QuerySet) -> QuerySet:
    return rows.alias(_below=figure("capability__below", IntegerField())).filter(_below__gt=0)


def rows_with_open_ncrs(rows: QuerySet) -> QuerySet:
    return rows.alias(_open=figure("ncrs__open", IntegerField())).filter(_open__gt=0)


# --- the drill-down: what the partner publishes --------------------------------------------


def capability_list(*, partner: Partner, product_code: str | None = None) -> QuerySet:
    qs = CharacteristicCapability.objects.filter(partner=partner)
    if product_code:
        qs = qs.filter(product_code=product_code)
    return qs.annotate(
        below=Case(
            When(cpk__lt=CPK_TARGET, then=Value(True)),
            default=Value(False),
        )
    ).order_by("product_code", "name")


def ncr_summary_list(*, partner: Partner, user, product_code: str | None = None) -> QuerySet:
    qs = NcrSummary.objects.filter(partner=partner, order_number__in=_visible_order_numbers(user))
    if product_code:
        qs = qs.filter(product_code=product_code)
    return qs.order_by("-opened_at", "number")


def _ratio(numerator: str, denominator: str, scale: float = 1.0) -> Case:
    return Case(
        When(
            **{f"{denominator}__gt": 0},
            then=Cast(F(numerator), FloatField()) * Value(scale) / F(denominator),
        ),
        default=None,
        output_field=FloatField(),
    )


def work_order_quality_list(*, partner: Partner, user, product_code: str | None = None) -> QuerySet:
    qs = WorkOrderQuality.objects.filter(
        partner=partner, order_number__in=_visible_order_numbers(user)
    )
    if product_code:
        qs = qs.filter(product_code=product_code)
    return qs.annotate(
        pieces_nonconforming=F("pieces_inspected") - F("pieces_conforming"),
        first_pass_yield=_ratio("first_pass_conforming", "first_pass_inspected"),
        ppm_defective=_ratio("pieces_nonconforming", "pieces_inspected", 1_000_000.0),
    ).order_by("work_order_number")


def ncr_counts(*, partner: Partner, user, product_code: str | None = None) -> dict:
    """NCRs opened and closed, in one query."""
    return ncr_summary_list(partner=partner, user=user, product_code=product_code).aggregate(
        opened=Count("id"), closed=Count("id", filter=Q(status="closed"))
    )


# --- raw measurements, through the audited door ------------------------------------------


@dataclass
class CharacteristicChart:
    characteristic_id: int
    name: str
    unit: str
    n_values: int
    svg: SafeString
    summary: str  # why there is no chart, or what the chart shows
    cp: float | None = None
    cpk: float | None = None


@dataclass
class RawAccess:
    """What the signed-in hub user may read of one partner's raw measurements,
    and, when allowed, what was read (materialised inside the door)."""

    allowed: bool
    released: bool = False  # the partner releases "quality_raw" to the whole hub
    grant_expires_at: datetime.datetime | None = None  # else a running grant
    grant_reason: str = ""
    charts: list[CharacteristicChart] = field(default_factory=list)
    values: list[dict] = field(default_factory=list)
    truncated: bool = False


def _chart(characteristic_id: int, name: str, unit: str, hidden=()) -> CharacteristicChart:
    """The control chart of one characteristic, leaving out the values of the
    export-controlled orders in `hidden` (network order numbers)."""
    from quality.spc_charts import chart_summary, control_chart_svg

    result = publish.capability_of(characteristic_id, hidden_orders=hidden)
    if result is None:
        return CharacteristicChart(
            characteristic_id, name, unit, 0, SafeString(""), _("No measured values yet.")
        )
    svg = control_chart_svg(result, title=name, unit=unit)
    capability = result.capability
    return CharacteristicChart(
        characteristic_id=characteristic_id,
        name=name,
        unit=unit,
        n_values=result.n_values,
        svg=svg,
        summary=chart_summary(result) if svg else _(result.message),
        cp=capability.cp if capability else None,
        cpk=capability.cpk if capability else None,
    )


def _access_inside(partner: Partner, user) -> RawAccess:
    """Runs inside the partner's schema: is raw data released, or granted to `user`?"""
    from quality.partner.access.selectors import measurement_access_active

    if publish.raw_released(partner):
        return RawAccess(allowed=True, released=True)
    grant = measurement_access_active(user=user)
    if grant is None:
        return RawAccess(allowed=False)
    return RawAccess(allowed=True, grant_expires_at=grant.expires_at, grant_reason=grant.reason)


def raw_charts(
    *, partner: Partner, user, request=None, product_code: str | None = None
) -> RawAccess:
    """Control charts of the partner's measured characteristics (of one product),
    read through the audited door when the partner releases raw data or has granted
    `user` access. Entering to check the grant is itself audited."""
    from quality.partner.models import Measurement

    what = product_code or "all products"  # the audit log's reason, in the log's language
    hidden = _hidden_order_numbers(user)
    with partner_schema(
        partner,
        actor=user,
        reason=f"quality drill-down: raw measurements and control charts of {what}",
        request=request,
    ):
        access = _access_inside(partner, user)
        if not access.allowed:
            return access
        measured = Measurement.objects.filter(kind=Measurement.Kind.VARIABLE)
        if product_code:
            measured = measured.filter(record__work_order__product_code=product_code)
        characteristics = (
            measured.order_by("characteristic_id")
            .values_list("characteristic_id", "name", "unit")
            .distinct("characteristic_id")
        )
        access.charts = [_chart(pk, name, unit, hidden) for pk, name, unit in characteristics]
    return access


def raw_values(*, partner: Partner, user, characteristic_id: int, request=None) -> RawAccess:
    """Every value of one characteristic at the partner (the newest
    RAW_VALUES_LIMIT), with its control chart, read through the audited door when
    allowed. Values of export-controlled orders the user is not cleared for are
    left out of the table."""
    from quality.partner.models import Measurement

    hidden = _hidden_order_numbers(user)
    with partner_schema(
        partner,
        actor=user,
        reason=f"quality drill-down: raw measurements of characteristic {characteristic_id}",
        request=request,
    ):
        access = _access_inside(partner, user)
        if not access.allowed:
            return access
        rows = (
            Measurement.objects.filter(characteristic_id=characteristic_id)
            .exclude(record__work_order__order_number__in=hidden)
            .order_by("-record__inspected_at", "-record_id")
            .values(
                "name",
                "kind",
                "value",
                "passed",
                "unit",
                "lower_limit",
                "upper_limit",
                "conforming",
                work_order=F("record__work_order__number"),
                order=F("record__work_order__order_number"),
                sample=F("record__sample"),
                piece=F("record__piece"),
                serial=F("record__serial"),
                source=F("record__source"),
                inspected_at=F("record__inspected_at"),
                instrument=F("record__instrument"),
            )[: RAW_VALUES_LIMIT + 1]
        )
        values = list(rows)
        access.truncated = len(values) > RAW_VALUES_LIMIT
        access.values = values[:RAW_VALUES_LIMIT]
        if values:
            first = values[0]
            access.charts = (
                [_chart(characteristic_id, first["name"], first["unit"], hidden)]
                if first["kind"] == Measurement.Kind.VARIABLE
                else []
            )
    return access


# --- use as is -----------------------------------------------------------------------


def use_as_is_list(*, user, status: str | None = None) -> QuerySet[UseAsIsRequest]:
    qs = UseAsIsRequest.objects.filter(order_number__in=_visible_order_numbers(user))
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("partner", "decided_by")


def use_as_is_pending_count(*, user) -> int:
    return use_as_is_list(user=user, status=UseAsIsRequest.Status.PENDING).count()


def use_as_is_get(*, pk: int, user) -> UseAsIsRequest:
    try:
        return use_as_is_list(user=user).get(pk=pk)
    except UseAsIsRequest.DoesNotExist as exc:
        raise Http404 from exc


# --- the register of issued documents ---------------------------------------------------


def issued_document_list(*, user) -> QuerySet[IssuedDocument]:
    return IssuedDocument.objects.filter(
        order_number__in=_visible_order_numbers(user)
    ).select_related("partner")


@dataclass(frozen=True)
class Verification:
    matched: bool
    document: IssuedDocument | None
    message: str


def issued_document_verify(
    *, user, number: str = "", content_sha256: str = "", pdf_sha256: str = ""
) -> Verification:
    """Does a copy match the register? By the SHA-256 of the PDF file (an uploaded
    copy), or by the document number and the SHA-256 of the content printed on
    it. With both, both must agree."""
    documents = issued_document_list(user=user)
    number = number.strip()
    if pdf_sha256:
        document = documents.filter(pdf_sha256=pdf_sha256).first()
        if document is None:
            return Verification(
                False,
                None,
                _(
                    "No issued document has this PDF's SHA-256: the file is not a copy "
                    "of a document in the register, or it was changed."
                ),
            )
        if number and document.number != number:
            return Verification(
                False,
                document,
                _("This PDF is document %(found)s, not %(number)s.")
                % {"found": document.number, "number": number},
            )
        if content_sha256 and document.content_sha256 != content_sha256:
            return Verification(
                False,
                document,
                _("This PDF is document %(number)s, but the content SHA-256 you typed differs.")
                % {"number": document.number},
            )
        return Verification(
            True,
            document,
            _("The PDF is an unchanged copy of document %(number)s.") % {"number": document.number},
        )
    document = documents.filter(number=number).first()
    if document is None:
        return Verification(
            False,
            None,
            _("No document numbered %(number)s is in the register.") % {"number": number},
        )
    if document.content_sha256 != content_sha256:
        return Verification(
            False,
            document,
            _(
                "Document %(number)s is in the register, but with another content SHA-256: "
                "the copy does not show what was issued."
            )
            % {"number": number},
        )
    return Verification(
        True,
        document,
        _("Document %(number)s and its content SHA-256 match the register.") % {"number": number},
    )
