"""Consultations REST API: public events; own registrations (create, cancel, waitlist
position); opinions on a consultation (create, public answers); check-in by code for staff."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from center.api.pagination import PortalPagination
from center.errors import DomainError, PermissionDeniedError
from consultations import selectors, services
from consultations.filters import EventFilter
from consultations.models import Consultation, Event, Opinion, Paragraph, Registration
from consultations.permissions import may_manage


class EventListOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.CharField(source="kind.code")
    kind_name = serializers.CharField(source="kind.name")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    venue = serializers.CharField()
    online_url = serializers.CharField()
    audience = serializers.CharField()
    capacity = serializers.IntegerField()
    seats_left = serializers.IntegerField()
    url = serializers.SerializerMethodField()

    def get_url(self, obj) -> str:
        return self.context["request"].build_absolute_uri(
            reverse("consultations:event_detail", args=[obj.pk])
        )


class EventAgendaItemOutput(serializers.Serializer):
    starts_at = serializers.TimeField()
    title = serializers.CharField()
    speaker = serializers.CharField()


class EventDetailOutput(EventListOutput):
    description = serializers.CharField()
    agenda = EventAgendaItemOutput(many=True)
    gives_certificate = serializers.BooleanField()
    registration_opens_at = serializers.DateTimeField(allow_null=True)
    registration_closes_at = serializers.DateTimeField(allow_null=True)


class EventListApi(generics.ListAPIView):
    """Published upcoming events (public); `?past=1` for past events."""

    permission_classes = [permissions.AllowAny]
    serializer_class = EventListOutput
    filterset_class = EventFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Event.objects.none()
        return selectors.public_events(now=timezone.now(), past=self.request.query_params.get("past") == "1")


class EventDetailApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=EventDetailOutput)
    def get(self, request, pk: int):
        try:
            event = selectors.event_public(pk)
        except Event.DoesNotExist:
            from django.http import Http404

            raise Http404 from None
        return Response(EventDetailOutput(event, context={"request": request}).data)


class RegistrationOutput(serializers.Serializer):
    code = serializers.CharField()
    event = serializers.IntegerField(source="event_id")
    event_title = serializers.CharField(source="event.title")
    starts_at = serializers.DateTimeField(source="event.starts_at")
    name = serializers.CharField()
    organization = serializers.IntegerField(source="organization_id", allow_null=True)
    attendees = serializers.IntegerField()
    status = serializers.CharField()
    waitlist_position = serializers.SerializerMethodField()
    offer_expires_at = serializers.DateTimeField(allow_null=True)

    def get_waitlist_position(self, obj) -> int | None:
        return services.waitlist_position(obj)


class RegistrationListApi(generics.ListAPIView):
    """The caller's own registrations (with their place on the waitlist)."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = RegistrationOutput

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Registration.objects.none()
        return selectors.registrations_of_user(self.request.user)


class RegistrationListCreateApi(RegistrationListApi):
    """GET: your registrations. POST: register for an event, yourself (resident) or your
    organization with a number of attendees; a full event puts you on the waitlist."""

    class RegistrationCreateInput(serializers.Serializer):
        event = serializers.IntegerField()
        name = serializers.CharField(max_length=120)
        phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
        email = serializers.EmailField(required=False, allow_blank=True, default="")
        organization = serializers.IntegerField(required=False, allow_null=True, default=None)
        attendees = serializers.IntegerField(min_value=1, max_value=99, default=1)

    @extend_schema(request=RegistrationCreateInput, responses={201: RegistrationOutput})
    def post(self, request):
        data = self.RegistrationCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        event = get_object_or_404(Event, pk=d["event"], status=Event.Status.PUBLISHED)
        organization = None
        if d["organization"] is not None:
            from organizations.selectors import memberships_of_user

            organization = next(
                (
                    m.organization
                    for m in memberships_of_user(request.user)
                    if m.organization_id == d["organization"]
                ),
                None,
            )
            if organization is None:
                raise PermissionDeniedError("You do not belong to this organization.")
        registration = services.registration_create(
            event=event,
            by=request.user,
            kind=Registration.Kind.ORGANIZATION if organization else Registration.Kind.RESIDENT,
            name=d["name"],
            phone=d["phone"],
            email=d["email"],
            attendees=d["attendees"],
            organization=organization,
            base_url=request.build_absolute_uri("/")[:-1],
        )
        return Response(RegistrationOutput(registration).data, status=status.HTTP_201_CREATED)


def _own_registration(request, code: str) -> Registration:
    try:
        return selectors.registration_for(request.user, code)
    except Registration.DoesNotExist:
        from django.http import Http404

        raise Http404 from None


class RegistrationDetailApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=RegistrationOutput)
    def get(self, request, code: str):
        return Response(RegistrationOutput(_own_registration(request, code)).data)


class RegistrationCancelApi(APIView):
    """Cancel your registration or leave the waitlist."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses=RegistrationOutput)
    def post(self, request, code: str):
        registration = services.registration_cancel(
            registration=_own_registration(request, code), by=request.user
        )
        return Response(RegistrationOutput(registration).data)


class CheckInCreateApi(APIView):
    """Staff: check a person in at the door by their code."""

    permission_classes = [permissions.IsAuthenticated]

    class CheckInCreateInput(serializers.Serializer):
        code = serializers.CharField(max_length=40)
        session = serializers.IntegerField(min_value=1, default=1)

    class CheckInCreateOutput(serializers.Serializer):
        name = serializers.CharField()
        attendees = serializers.IntegerField()
        checked_in_at = serializers.DateTimeField()
        already = serializers.BooleanField()

    @extend_schema(request=CheckInCreateInput, responses=CheckInCreateOutput)
    def post(self, request, pk: int):
        if not may_manage(request.user):
            raise PermissionDeniedError("Only the center's staff in charge check people in.")
        event = get_object_or_404(Event, pk=pk)
        data = self.CheckInCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        item, already = services.checkin(event=event, by=request.user, method="code", **data.validated_data)
        return Response(
            self.CheckInCreateOutput(
                {
                    "name": item.registration.name,
                    "attendees": item.registration.attendees,
                    "checked_in_at": item.at,
                    "already": already,
                }
            ).data
        )


class OpinionPublicOutput(serializers.Serializer):
    id = serializers.IntegerField()
    paragraph = serializers.IntegerField(source="paragraph.number", allow_null=True, default=None)
    name = serializers.CharField(source="public_name")
    body = serializers.CharField()
    source = serializers.CharField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()
    answer_result = serializers.SerializerMethodField()
    answer = serializers.SerializerMethodField()
    department = serializers.SerializerMethodField()

    def _published(self, obj) -> bool:
        return obj.status == Opinion.Status.PUBLISHED

    def get_answer_result(self, obj) -> str:
        return obj.result if self._published(obj) else ""

    def get_answer(self, obj) -> str:
        return obj.answer if self._published(obj) else ""

    def get_department(self, obj) -> str:
        return obj.forward.department.name if obj.forward_id and self._published(obj) else ""


def _consultation(pk: int) -> Consultation:
    try:
        return selectors.consultation_public(pk)
    except Consultation.DoesNotExist:
        from django.http import Http404

        raise Http404 from None


class OpinionListCreateApi(APIView):
    """Public opinions of a consultation with their published answers; anyone may give one
    while the consultation is open (contact details are never returned)."""

    permission_classes = [permissions.AllowAny]

    class OpinionCreateInput(serializers.Serializer):
        paragraph = serializers.IntegerField(required=False, allow_null=True, default=None)
        body = serializers.CharField(allow_blank=True, trim_whitespace=True)
        name = serializers.CharField(max_length=120)
        name_public = serializers.BooleanField(default=False)
        phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
        email = serializers.EmailField(required=False, allow_blank=True, default="")

    pagination_class = PortalPagination  # the schema documents the GET's paginated body

    @extend_schema(responses=OpinionPublicOutput(many=True))
    def get(self, request, pk: int):
        consultation = _consultation(pk)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.public_opinions(consultation), request, view=self)
        return paginator.get_paginated_response(OpinionPublicOutput(page, many=True).data)

    @extend_schema(request=OpinionCreateInput, responses={201: OpinionPublicOutput})
    def post(self, request, pk: int):
        consultation = _consultation(pk)
        data = self.OpinionCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        d = dict(data.validated_data)
        paragraph = None
        if d.pop("paragraph") is not None:
            paragraph = Paragraph.objects.filter(
                consultation=consultation, number=data.validated_data["paragraph"]
            ).first()
            if paragraph is None:
                raise DomainError("No such paragraph.", code="paragraph")
        opinion = services.opinion_create(
            consultation=consultation, paragraph=paragraph, by=request.user, **d
        )
        return Response(OpinionPublicOutput(opinion).data, status=status.HTTP_201_CREATED)
