"""Hotline REST API for staff and unit handlers (residents use the pages; machines use Open311)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from center.errors import PermissionDeniedError
from center.validators import mask_phone
from hotline import selectors, services
from hotline.filters import TicketFilter
from hotline.models import Ticket
from hotline.permissions import is_hotline_staff, may_view, sees_full_phone


class TicketListOutput(serializers.Serializer):
    tracking_number = serializers.CharField()
    title = serializers.CharField()
    ticket_type = serializers.CharField()
    category = serializers.CharField(source="category.name")
    status = serializers.CharField()
    urgency = serializers.CharField()
    assigned_unit = serializers.CharField(source="assigned_unit.name", allow_null=True, default=None)
    phone = serializers.SerializerMethodField()
    answer_due = serializers.DateTimeField(allow_null=True)
    is_overdue = serializers.BooleanField()
    created_at = serializers.DateTimeField()

    def get_phone(self, obj) -> str:
        user = self.context["request"].user
        return obj.phone if sees_full_phone(user, obj) else mask_phone(obj.phone)


def _visible(user):
    if is_hotline_staff(user):
        return selectors.ticket_table()
    if user.is_handler:
        return selectors.handler_tickets(user=user)
    return Ticket.objects.none()


class TicketListApi(generics.ListAPIView):
    """Tickets the caller may see: all for center staff, own unit and below for a handler."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = TicketListOutput
    filterset_class = TicketFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Ticket.objects.none()
        return _visible(self.request.user).order_by("-created_at", "-pk")


def _ticket_for(request, number: str) -> Ticket:
    ticket = get_object_or_404(
        Ticket.objects.select_related("category", "assigned_unit"), tracking_number=number
    )
    if not may_view(request.user, ticket):
        raise PermissionDeniedError("You may not see this request.")
    return ticket


class TicketDetailApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    class TicketDetailOutput(TicketListOutput):
        description = serializers.CharField()
        answer = serializers.CharField()
        sign_due = serializers.DateTimeField(allow_null=True)
        first_dispatched_at = serializers.DateTimeField(allow_null=True)

    @extend_schema(responses=TicketDetailOutput)
    def get(self, request, number: str):
        ticket = _ticket_for(request, number)
        return Response(self.TicketDetailOutput(ticket, context={"request": request}).data)


class TicketSignForApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses=TicketListOutput)
    def post(self, request, number: str):
        ticket = _ticket_for(request, number)
        services.ticket_sign_for(ticket=ticket, actor=request.user)
        return Response(TicketListOutput(ticket, context={"request": request}).data)


class TicketAnswerApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    class TicketAnswerInput(serializers.Serializer):
        text = serializers.CharField(max_length=4000)

    @extend_schema(request=TicketAnswerInput, responses=TicketListOutput)
    def post(self, request, number: str):
        ticket = _ticket_for(request, number)
        data = self.TicketAnswerInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.ticket_answer(ticket=ticket, actor=request.user, text=data.validated_data["text"])
        return Response(TicketListOutput(ticket, context={"request": request}).data)
