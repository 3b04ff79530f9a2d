"""The hub's product-definition API (base domain): every hub member reads products,
revisions, BOMs, routings and inspection characteristics; planners write them.

Writes validate with the product pages' forms and call the same services, so the
API and the pages keep one set of rules.
"""

from collections.abc import Mapping

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from portal.api.idempotency import idempotent
from tenants.models import PLANNER_ROLES

from ..models.products import BomLine, InspectionCharacteristic, Operation, Product, ProductRevision
from . import selectors, services
from .filters import ProductFilter
from .forms import (
    BomLineForm,
    CharacteristicForm,
    OperationForm,
    ProductForm,
    ProductPlanningForm,
)

# --- Output: each row shows what its form writes, with its id ----------------------------


@extend_schema_field(
    {"type": "string", "enum": ProductRevision.Status.values}, component_name="RevisionStatusEnum"
)
class _RevisionStatusField(serializers.ChoiceField):
    """One name in the schema for the status that two serializers show."""


class RevisionSummarySerializer(serializers.ModelSerializer):
    status = _RevisionStatusField(choices=ProductRevision.Status.choices, read_only=True)

    class Meta:
        model = ProductRevision
        fields = ["id", "revision", "status", "created_at", "released_at"]


class ProductSerializer(serializers.ModelSerializer):
    revisions = RevisionSummarySerializer(many=True, read_only=True)
    approved_plants = serializers.PrimaryKeyRelatedField(
        many=True,
        read_only=True,
        help_text="Plant ids; empty: any plant with the certifications and capabilities "
        "the routing needs.",
    )

    class Meta:
        model = Product
        fields = [
            "id",
            *ProductForm._meta.fields,
            *ProductPlanningForm._meta.fields,
            "created_at",
            "revisions",
        ]


class BomLineSerializer(serializers.ModelSerializer):
    level = serializers.SerializerMethodField(help_text="1: goes into the product itself.")

    class Meta:
        model = BomLine
        fields = ["id", "level", *BomLineForm._meta.fields]

    def get_level(self, line: BomLine) -> int:
        return getattr(line, "depth", None) or line.level  # `depth`: set by bom_tree


class CharacteristicSerializer(serializers.ModelSerializer):
    class Meta:
        model = InspectionCharacteristic
        fields = ["id", *CharacteristicForm._meta.fields]


class OperationSerializer(serializers.ModelSerializer):
    characteristics = CharacteristicSerializer(many=True, read_only=True)

    class Meta:
        model = Operation
        fields = ["id", *OperationForm._meta.fields, "characteristics"]


class RevisionSerializer(RevisionSummarySerializer):
    product_code = serializers.CharField(source="product.code", read_only=True)
    released_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    bom = serializers.SerializerMethodField(help_text="Depth-first: each line under its parent.")
    operations = OperationSerializer(many=True, read_only=True)

    class Meta:
        model = ProductRevision
        fields = [
            "id",
            "product",
            "product_code",
            "revision",
            "status",
            "created_at",
            "released_at",
            "released_by",
            "bom",
            "operations",
        ]

    @extend_schema_field(BomLineSerializer(many=True))
    def get_bom(self, revision: ProductRevision):
        return BomLineSerializer(selectors.bom_tree(revision), many=True).data


# --- Input ----------------------------------------------------------------------------------


def _form_errors(form: forms.Form) -> dict[str, list[str]]:
    """A form's errors keyed as DRF keys them (errors of no field under its own key)."""
    keys = {NON_FIELD_ERRORS: api_settings.NON_FIELD_ERRORS_KEY}
    return {keys.get(name, name): list(errors) for name, errors in form.errors.items()}


class _FormInput(serializers.ModelSerializer):
    """A body validated by a product page's form (`form_class`), so that the API and the
    pages share one set of rules. The serializer fields only describe the body in the
    schema: the model's fields, required and with choices as the form has them."""

    form_class: type[forms.ModelForm]

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        form_meta = cls.form_class._meta
        cls.Meta = type("Meta", (), {"model": form_meta.model, "fields": form_meta.fields})

    def get_fields(self):
        fields = super().get_fields()
        for name, form_field in self.form_class.base_fields.items():
            if type(form_field) is forms.ChoiceField:  # choices the model does not have (units)
                fields[name] = serializers.ChoiceField(
                    choices=form_field.choices, allow_blank=not form_field.required
                )
            fields[name].required = form_field.required
        return fields

    def to_internal_value(self, data):
        if not isinstance(data, Mapping):
            return super().to_internal_value(data)  # refuses it as DRF does
        form = self.form_class(data=data, **self.context.get("form_kwargs", {}))
        if not form.is_valid():
            raise serializers.ValidationError(_form_errors(form))
        return form.cleaned_data


class ProductInput(_FormInput):
    form_class = ProductForm


class BomLineInput(_FormInput):
    """A line under the product itself (no `parent`) or under a line of this revision;
    without `position`, the next free one."""

    form_class = BomLineForm


class OperationInput(_FormInput):
    form_class = OperationForm


class CharacteristicInput(_FormInput):
    """A measured value needs `nominal` and both limits (lower ≤ nominal ≤ upper); a
    pass/fail characteristic has none."""

    form_class = CharacteristicForm


class ProductPlanningInput(_FormInput):
    """The product's planning data; a field left out keeps its value."""

    form_class = ProductPlanningForm


class RevisionNewInput(serializers.Serializer):
    source = serializers.PrimaryKeyRelatedField(
        queryset=ProductRevision.objects.all(),
        required=False,
        allow_null=True,
        help_text="The revision of this product to copy; by default its latest.",
    )

    def validate_source(self, source):
        if source is not None and source.product_id != self.context["product"].pk:
            raise serializers.ValidationError(_("This revision belongs to another product."))
        return source


# --- Endpoints ------------------------------------------------------------------------------


class ProductListApi(ListAPIView):
    """List products with their revisions (GET), or create one with an empty draft
    revision A (POST)."""

    serializer_class = ProductSerializer
    write_roles = PLANNER_ROLES
    filter_backends = [DjangoFilterBackend]
    filterset_class = ProductFilter

    def get_queryset(self):
        return selectors.products_with_revisions().order_by("code")

    @extend_schema(request=ProductInput, responses={201: ProductSerializer})
    @idempotent
    def post(self, request):
        data = ProductInput(data=request.data)
        data.is_valid(raise_exception=True)
        revision = services.product_create(**data.validated_data)
        return Response(ProductSerializer(revision.product).data, status=status.HTTP_201_CREATED)


class ProductDetailApi(APIView):
    """Read a product (GET); planners set its material cost per unit and approved
    plants (PATCH)."""

    write_roles = PLANNER_ROLES

    @extend_schema(responses=ProductSerializer)
    def get(self, request, product_pk):
        return Response(ProductSerializer(selectors.product_get(product_pk=product_pk)).data)

    @extend_schema(request=ProductPlanningInput, responses=ProductSerializer)
    @idempotent
    def patch(self, request, product_pk):
        product = selectors.product_get(product_pk=product_pk)
        current = {
            "material_cost_per_unit": str(product.material_cost_per_unit),
            "approved_plants": [plant.pk for plant in product.approved_plants.all()],
        }
        body = request.data
        data = ProductPlanningInput(data={**current, **body} if isinstance(body, Mapping) else body)
        data.is_valid(raise_exception=True)
        services.product_planning_set(product=product, **data.validated_data)
        return Response(ProductSerializer(selectors.product_get(product_pk=product_pk)).data)


class RevisionNewApi(APIView):
    """A new draft revision copying `source`, by default the product's latest revision."""

    write_roles = PLANNER_ROLES

    @extend_schema(request=RevisionNewInput, responses={201: RevisionSerializer})
    @idempotent
    def post(self, request, product_pk):
        product = get_object_or_404(Product, pk=product_pk)
        data = RevisionNewInput(data=request.data, context={"product": product})
        data.is_valid(raise_exception=True)
        revision = services.revision_create(product=product, **data.validated_data)
        revision = selectors.revision_full(product_pk=product_pk, revision_pk=revision.pk)
        return Response(RevisionSerializer(revision).data, status=status.HTTP_201_CREATED)


class RevisionDetailApi(APIView):
    @extend_schema(responses=RevisionSerializer)
    def get(self, request, product_pk, revision_pk):
        revision = selectors.revision_full(product_pk=product_pk, revision_pk=revision_pk)
        return Response(RevisionSerializer(revision).data)


class RevisionReleaseApi(APIView):
    """Release a draft revision; the product's released one becomes obsolete."""

    write_roles = PLANNER_ROLES

    @extend_schema(request=None, responses=RevisionSerializer)
    @idempotent
    def post(self, request, product_pk, revision_pk):
        revision = get_object_or_404(ProductRevision, pk=revision_pk, product_id=product_pk)
        services.revision_release(revision=revision, actor=request.user, request=request._request)
        revision = selectors.revision_full(product_pk=product_pk, revision_pk=revision_pk)
        return Response(RevisionSerializer(revision).data)


class _RevisionPartsApi(APIView):
    """Add a row to a draft revision; a released revision refuses it (422)."""

    write_roles = PLANNER_ROLES
    part: str  # a key of services.REVISION_PARTS
    input_class: type[_FormInput]
    output_class: type[serializers.ModelSerializer]

    @idempotent
    def post(self, request, product_pk, revision_pk):
        revision = get_object_or_404(
            ProductRevision.objects.select_related("product"), pk=revision_pk, product_id=product_pk
        )
        revision.ensure_editable()  # say so before judging the body; the service checks again
        data = self.input_class(data=request.data, context={"form_kwargs": {"revision": revision}})
        data.is_valid(raise_exception=True)
        row = services.revision_part_add(
            revision=revision, part=self.part, fields=data.validated_data
        )
        return Response(self.output_class(row).data, status=status.HTTP_201_CREATED)


def _described(view: type[_RevisionPartsApi]) -> type[_RevisionPartsApi]:
    """Put the view's request and response bodies in the schema."""
    schema = extend_schema(request=view.input_class, responses={201: view.output_class})
    return extend_schema_view(post=schema)(view)


@_described
class BomLinesApi(_RevisionPartsApi):
    part, input_class, output_class = "bom", BomLineInput, BomLineSerializer


@_described
class OperationsApi(_RevisionPartsApi):
    part, input_class, output_class = "op", OperationInput, OperationSerializer


@_described
class CharacteristicsApi(_RevisionPartsApi):
    part, input_class, output_class = "ch", CharacteristicInput, CharacteristicSerializer


class RevisionPartApi(APIView):
    """Remove a row of a draft revision: a BOM line with the lines under it, an operation
    with its characteristics, or a characteristic; a released revision refuses (422)."""

    write_roles = PLANNER_ROLES

    @extend_schema(request=None, responses={204: None})
    @idempotent
    def delete(self, request, product_pk, revision_pk, pk, part):  # `part`: from the URL conf
        revision = get_object_or_404(ProductRevision, pk=revision_pk, product_id=product_pk)
        services.revision_part_remove(revision=revision, part=part, row_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)
