"""Incubation REST API: rooms with their availability for a day, bookings (create, cancel),
the user's own applications and agreements. One class per operation."""

from __future__ import annotations

from datetime import date

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import get_language
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema, extend_schema_field
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from center.api.pagination import PortalPagination
from center.errors import DomainError
from incubation import filters, selectors, services
from incubation.caching import DATA
from incubation.models import Agreement, Application, Booking, Space


class _Paginated(APIView):
    pagination_class = PortalPagination

    def paginate(self, qs, serializer_class):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, self.request, view=self)
        return paginator.get_paginated_response(serializer_class(page, many=True).data)


class IncubationSlotOutput(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class IncubationDayBookingOutput(serializers.Serializer):
    id = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    status = serializers.CharField()


class IncubationSpaceListApi(APIView):
    """Every bookable room with its bookings and free slots on `day` (default today)."""

    permission_classes = [permissions.AllowAny]

    class IncubationSpaceAvailabilityOutput(serializers.Serializer):
        id = serializers.IntegerField()
        code = serializers.CharField()
        name = serializers.CharField()
        kind = serializers.CharField()
        floor = serializers.IntegerField()
        capacity = serializers.IntegerField()
        needs_approval = serializers.BooleanField()
        opens_at = serializers.TimeField()
        closes_at = serializers.TimeField()
        max_booking_minutes = serializers.IntegerField()
        bookings = serializers.SerializerMethodField()
        free = serializers.SerializerMethodField()

        @extend_schema_field(IncubationDayBookingOutput(many=True))
        def get_bookings(self, obj):
            return IncubationDayBookingOutput(obj.day_bookings, many=True).data

        @extend_schema_field(IncubationSlotOutput(many=True))
        def get_free(self, obj):
            return IncubationSlotOutput(
                [{"starts_at": a, "ends_at": b} for a, b in obj.free_slots], many=True
            ).data

    @extend_schema(
        parameters=[OpenApiParameter("day", OpenApiTypes.DATE, description="YYYY-MM-DD; today when absent")],
        responses=IncubationSpaceAvailabilityOutput(many=True),
    )
    def get(self, request):
        raw = request.query_params.get("day")
        try:
            day = date.fromisoformat(raw) if raw else timezone.localdate()
        except ValueError:
            raise DomainError("day: YYYY-MM-DD", code="invalid", details={"field": "day"}) from None
        if not 1901 <= day.year <= 2199:  # before 1901 Shanghai's offset has seconds: not RFC 3339
            raise DomainError("day: a year from 1901 to 2199", code="invalid", details={"field": "day"})
        # The same for every caller: serialized once per data version (any booking or room
        # change) and day, and shared by every process (center.caching).
        data = DATA.cached(
            "availability-api",
            lambda: self.IncubationSpaceAvailabilityOutput(selectors.availability(day=day), many=True).data,
            day.isoformat(),
            get_language(),
        )
        return Response(data)


class IncubationBookingOutput(serializers.ModelSerializer):
    space = serializers.CharField(source="space.code")
    status = serializers.CharField(help_text="pending, confirmed, refused, cancelled, no_show")

    class Meta:
        model = Booking
        fields = ["id", "space", "title", "starts_at", "ends_at", "status", "checked_in_at"]


class IncubationBookingListApi(_Paginated):
    """The user's own bookings."""

    permission_classes = [permissions.IsAuthenticated]
    filter_backends = [DjangoFilterBackend]
    filterset_class = filters.IncubationBookingFilter
    queryset = Booking.objects.none()

    @extend_schema(responses=IncubationBookingOutput(many=True))
    def get(self, request):
        qs = filters.IncubationBookingFilter(
            request.query_params, queryset=selectors.bookings_of_user(request.user)
        ).qs
        return self.paginate(qs, IncubationBookingOutput)


class IncubationBookingCreateApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    class IncubationBookingCreateInput(serializers.Serializer):
        space = serializers.IntegerField()
        title = serializers.CharField(max_length=120)
        starts_at = serializers.DateTimeField()
        ends_at = serializers.DateTimeField()

    @extend_schema(request=IncubationBookingCreateInput, responses={201: IncubationBookingOutput})
    def post(self, request):
        data = self.IncubationBookingCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        space = get_object_or_404(Space.objects.select_related("base"), pk=d["space"])
        booking = services.booking_create(
            space=space, user=request.user, starts_at=d["starts_at"], ends_at=d["ends_at"], title=d["title"]
        )
        return Response(IncubationBookingOutput(booking).data, status=status.HTTP_201_CREATED)


class IncubationBookingCancelApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses=IncubationBookingOutput)
    def post(self, request, pk: int):
        try:
            booking = selectors.booking_visible(request.user, pk)
        except Booking.DoesNotExist:
            raise Http404 from None
        booking = services.booking_transition(booking, to=Booking.Status.CANCELLED, by=request.user)
        return Response(IncubationBookingOutput(booking).data)


class IncubationApplicationListApi(_Paginated):
    """The entry applications of the organizations and groups the user speaks for."""

    permission_classes = [permissions.IsAuthenticated]
    filter_backends = [DjangoFilterBackend]
    filterset_class = filters.IncubationApplicationFilter
    queryset = Application.objects.none()

    class IncubationApplicationListOutput(serializers.ModelSerializer):
        applicant = serializers.CharField(source="incubatee.name")
        call = serializers.CharField(source="call.title")
        status = serializers.CharField(
            help_text="draft, submitted, returned, screened, assessed, admitted, waitlisted, refused"
        )
        space_need = serializers.CharField(help_text="office, desks, virtual")

        class Meta:
            model = Application
            fields = [
                "id",
                "call",
                "applicant",
                "space_need",
                "status",
                "reason",
                "submitted_at",
                "answer_due",
            ]

    @extend_schema(responses=IncubationApplicationListOutput(many=True))
    def get(self, request):
        qs = filters.IncubationApplicationFilter(
            request.query_params, queryset=selectors.applications_of_user(request.user)
        ).qs
        return self.paginate(qs, self.IncubationApplicationListOutput)


class IncubationAgreementOutput(serializers.ModelSerializer):
    incubatee = serializers.CharField(source="incubatee.name")
    space = serializers.CharField(source="space.code", allow_null=True, default=None)
    status = serializers.CharField(help_text="active, graduated, exited, ended_early, expired")

    class Meta:
        model = Agreement
        fields = [
            "id",
            "number",
            "incubatee",
            "space",
            "starts_on",
            "ends_on",
            "status",
            "deposit",
            "renewals",
        ]


class IncubationAgreementListApi(_Paginated):
    """The agreements of the organizations and groups the user speaks for."""

    permission_classes = [permissions.IsAuthenticated]
    filter_backends = [DjangoFilterBackend]
    filterset_class = filters.IncubationAgreementFilter
    queryset = Agreement.objects.none()

    @extend_schema(responses=IncubationAgreementOutput(many=True))
    def get(self, request):
        qs = filters.IncubationAgreementFilter(
            request.query_params, queryset=selectors.agreements_of_user(request.user)
        ).qs
        return self.paginate(qs, IncubationAgreementOutput)


class IncubationAgreementDetailApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=IncubationAgreementOutput)
    def get(self, request, pk: int):
        agreement = selectors.agreements_of_user(request.user).filter(pk=pk).first()
        if agreement is None:
            raise Http404
        return Response(IncubationAgreementOutput(agreement).data)
