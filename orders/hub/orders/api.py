"""The hub's order API (base domain): planners create and dispatch orders and
decide counter-proposals. Reads come from hub tables and the ledger only."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from orders import services
from portal.api.idempotency import idempotent
from portal.models import LedgerEvent
from tenants.models import PLANNER_ROLES, Plant

from ..models.orders import Dispatch, NetworkOrder
from ..models.products import ProductRevision
from . import selectors
from . import services as hub_services
from .forms import split_min_lot_error
from .selectors import orders_visible_to


class DispatchSerializer(serializers.ModelSerializer):
    partner = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    plant = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Dispatch
        fields = [
            "id",
            "work_order_number",
            "partner",
            "plant",
            "quantity",
            "status",
            "dispatched_at",
            "answered_at",
            "promised_date",
            "good_quantity",
            "shipped_quantity",
            "percent_complete",
        ]


class OrderSerializer(serializers.ModelSerializer):
    revision = serializers.PrimaryKeyRelatedField(
        queryset=ProductRevision.objects.filter(status=ProductRevision.Status.RELEASED)
    )
    product_code = serializers.CharField(source="revision.product.code", read_only=True)
    dispatches = DispatchSerializer(many=True, read_only=True)

    class Meta:
        model = NetworkOrder
        fields = [
            "number",
            "customer_reference",
            "revision",
            "product_code",
            "quantity",
            "due_date",
            "ship_to_name",
            "ship_to_latitude",
            "ship_to_longitude",
            "priority",
            "export_controlled",
            "split_min_lot",
            "status",
            "good_quantity",
            "shipped_quantity",
            "percent_complete",
            "dispatches",
        ]
        read_only_fields = [
            "number",
            "status",
            "good_quantity",
            "shipped_quantity",
            "percent_complete",
        ]

    def validate(self, attrs):
        error = split_min_lot_error(attrs.get("split_min_lot"), attrs.get("quantity"))
        if error:
            raise serializers.ValidationError({"split_min_lot": error})
        return attrs


class OrderListApi(ListAPIView):
    """List orders (GET) or create one (POST)."""

    serializer_class = OrderSerializer
    write_roles = PLANNER_ROLES

    def get_queryset(self):
        status_filter = self.request.query_params.get("status")
        return selectors.order_list(user=self.request.user, status=status_filter)

    @extend_schema(request=OrderSerializer, responses={201: OrderSerializer})
    @idempotent
    def post(self, request):
        data = OrderSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = hub_services.order_create(actor=request.user, **data.validated_data)
        return Response(OrderSerializer(order).data, status=status.HTTP_201_CREATED)


class LedgerEventSerializer(serializers.ModelSerializer):
    partner = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = LedgerEvent
        fields = ["at", "partner", "kind", "work_order_number", "actor_label", "payload"]


class OrderDetailApi(APIView):
    @extend_schema(responses=OrderSerializer)
    def get(self, request, number):
        order = get_object_or_404(orders_visible_to(request.user), number=number)
        data = OrderSerializer(order).data
        events = selectors.order_events(number=number)
        data["timeline"] = LedgerEventSerializer(events, many=True).data
        return Response(data)


class DispatchInput(serializers.Serializer):
    plant = serializers.PrimaryKeyRelatedField(queryset=Plant.objects.all())
    quantity = serializers.IntegerField(min_value=1)


class OrderDispatchApi(APIView):
    write_roles = PLANNER_ROLES

    @extend_schema(request=DispatchInput, responses={201: DispatchSerializer})
    @idempotent
    def post(self, request, number):
        data = DispatchInput(data=request.data)
        data.is_valid(raise_exception=True)
        dispatch = services.order_dispatch(
            order=get_object_or_404(orders_visible_to(request.user), number=number),
            actor=request.user,
            request=request._request,
            **data.validated_data,
        )
        return Response(DispatchSerializer(dispatch).data, status=status.HTTP_201_CREATED)


class CounterDecisionInput(serializers.Serializer):
    approve = serializers.BooleanField()


class CounterDecisionApi(APIView):
    write_roles = PLANNER_ROLES

    @extend_schema(request=CounterDecisionInput, responses=DispatchSerializer)
    @idempotent
    def post(self, request, dispatch_pk):
        data = CounterDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        dispatch = services.counter_decide(
            dispatch=selectors.dispatch_get_for_user(dispatch_pk=dispatch_pk, user=request.user),
            actor=request.user,
            approve=data.validated_data["approve"],
            request=request._request,
        )
        return Response(DispatchSerializer(dispatch).data)
