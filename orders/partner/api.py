"""The partner's work-order API, on its own host: each class validates input,
calls one service and serializes the result."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.idempotency import idempotent

from . import services
from .models import Shipment, WorkOrder, WorkOrderOperation

ANSWER_ROLES = ("partner_admin", "quality", "operator")
SHOP_FLOOR_ROLES = ("partner_admin", "quality", "operator")


class OperationSerializer(serializers.ModelSerializer):
    class Meta:
        model = WorkOrderOperation
        fields = ["sequence", "name", "work_centre_type", "good_quantity", "scrap_quantity"]


class WorkOrderSerializer(serializers.ModelSerializer):
    operations = OperationSerializer(many=True, read_only=True)

    class Meta:
        model = WorkOrder
        fields = [
            "number",
            "order_number",
            "plant_code",
            "product_code",
            "product_name",
            "revision",
            "quantity",
            "due_date",
            "promised_date",
            "export_controlled",
            "status",
            "dispatched_at",
            "answered_at",
            "reject_reason",
            "reject_text",
            "shipped_quantity",
            "operations",
        ]


def _work_order(number: str) -> WorkOrder:
    return get_object_or_404(WorkOrder, number=number)


class WorkOrderListApi(ListAPIView):
    serializer_class = WorkOrderSerializer

    def get_queryset(self):
        queryset = WorkOrder.objects.prefetch_related("operations").order_by("due_date", "number")
        status_filter = self.request.query_params.get("status")
        if status_filter:
            queryset = queryset.filter(status=status_filter)
        return queryset


class WorkOrderDetailApi(RetrieveAPIView):
    serializer_class = WorkOrderSerializer
    lookup_field = "number"
    queryset = WorkOrder.objects.prefetch_related("operations")


class AcceptInput(serializers.Serializer):
    promised_date = serializers.DateField(required=False, allow_null=True)


class WorkOrderAcceptApi(APIView):
    write_roles = ANSWER_ROLES

    @extend_schema(request=AcceptInput, responses=WorkOrderSerializer)
    @idempotent
    def post(self, request, number):
        data = AcceptInput(data=request.data)
        data.is_valid(raise_exception=True)
        work_order = services.work_order_accept(
            partner=request.tenant,
            work_order=_work_order(number),
            user=request.user,
            promised_date=data.validated_data.get("promised_date"),
        )
        return Response(WorkOrderSerializer(work_order).data)


class RejectInput(serializers.Serializer):
    reason = serializers.ChoiceField(choices=WorkOrder.RejectReason.choices)
    text = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class WorkOrderRejectApi(APIView):
    write_roles = ANSWER_ROLES

    @extend_schema(request=RejectInput, responses=WorkOrderSerializer)
    @idempotent
    def post(self, request, number):
        data = RejectInput(data=request.data)
        data.is_valid(raise_exception=True)
        work_order = services.work_order_reject(
            partner=request.tenant,
            work_order=_work_order(number),
            user=request.user,
            **data.validated_data,
        )
        return Response(WorkOrderSerializer(work_order).data)


class ProgressInput(serializers.Serializer):
    good_quantity = serializers.IntegerField(min_value=0)
    scrap_quantity = serializers.IntegerField(min_value=0, default=0)
    started_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField()
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    share_notes = serializers.BooleanField(default=False)


class ProgressOutput(serializers.Serializer):
    id = serializers.IntegerField()
    operation = serializers.IntegerField(source="operation.sequence")
    good_quantity = serializers.IntegerField()
    scrap_quantity = serializers.IntegerField()
    operation_good_total = serializers.IntegerField(source="operation.good_quantity")
    operation_scrap_total = serializers.IntegerField(source="operation.scrap_quantity")


class ProgressReportApi(APIView):
    write_roles = SHOP_FLOOR_ROLES

    @extend_schema(request=ProgressInput, responses={201: ProgressOutput})
    @idempotent
    def post(self, request, number, sequence):
        data = ProgressInput(data=request.data)
        data.is_valid(raise_exception=True)
        operation = get_object_or_404(
            WorkOrderOperation, work_order__number=number, sequence=sequence
        )
        report = services.progress_report(
            partner=request.tenant, operation=operation, user=request.user, **data.validated_data
        )
        report.operation.refresh_from_db()
        return Response(ProgressOutput(report).data, status=status.HTTP_201_CREATED)


class ShipmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Shipment
        fields = ["id", "quantity", "lots", "carrier", "tracking_number", "shipped_at"]
        read_only_fields = ["id", "shipped_at"]


class ShipmentCreateApi(APIView):
    write_roles = ("partner_admin", "operator")

    @extend_schema(request=ShipmentSerializer, responses={201: ShipmentSerializer})
    @idempotent
    def post(self, request, number):
        data = ShipmentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        shipment = services.shipment_create(
            partner=request.tenant,
            work_order=_work_order(number),
            user=request.user,
            **data.validated_data,
        )
        return Response(ShipmentSerializer(shipment).data, status=status.HTTP_201_CREATED)
