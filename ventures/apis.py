"""Ventures REST API: the applicant's applications, the reviewer's reviews, the staff
ranking, and the 360Giving open-data feed. One class per operation."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from center.api.pagination import PortalPagination
from organizations import selectors as org_selectors
from ventures import filters, opendata, selectors, services
from ventures.models import Application, Category, Criterion, Review, Round
from ventures.permissions import is_projects_staff, may_view_application


class _Paginated(APIView):
    # Declared on the class so the schema documents the paginated body and its page parameters.
    pagination_class = PortalPagination

    def paginate(self, qs, serializer_class):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, self.request, view=self)
        return paginator.get_paginated_response(serializer_class(page, many=True).data)


class VentureApplicationListApi(_Paginated):
    """The applications of the organizations the user belongs to."""

    permission_classes = [permissions.IsAuthenticated]
    filter_backends = [DjangoFilterBackend]
    filterset_class = filters.VentureApplicationFilter
    queryset = Application.objects.none()  # for the schema's filter parameters only

    class VentureApplicationListOutput(serializers.ModelSerializer):
        organization = serializers.CharField(source="organization.name")
        round = serializers.CharField(source="round.title")

        class Meta:
            model = Application
            fields = [
                "id",
                "round",
                "organization",
                "category",
                "title",
                "status",
                "requested_amount",
                "award_amount",
                "submitted_at",
            ]

    @extend_schema(responses=VentureApplicationListOutput(many=True))
    def get(self, request):
        org_ids = org_selectors.organization_ids_for_user(request.user)
        qs = filters.VentureApplicationFilter(
            request.query_params, queryset=selectors.applications_for_organizations(org_ids)
        ).qs
        return self.paginate(qs, self.VentureApplicationListOutput)


class VentureBudgetLineOutput(serializers.Serializer):
    item = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)


class VentureApplicationDetailApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    class VentureApplicationDetailOutput(serializers.ModelSerializer):
        organization = serializers.CharField(source="organization.name")
        budget_lines = VentureBudgetLineOutput(many=True)

        class Meta:
            model = Application
            fields = [
                "id",
                "round",
                "organization",
                "category",
                "title",
                "summary",
                "need",
                "target_group",
                "activity_plan",
                "duration_months",
                "requested_amount",
                "co_funding",
                "expected_direct",
                "expected_indirect",
                "team",
                "status",
                "info_request",
                "screening_reason",
                "award_amount",
                "awarded_at",
                "budget_lines",
            ]

    @extend_schema(responses=VentureApplicationDetailOutput)
    def get(self, request, pk: int):
        app = get_object_or_404(
            Application.objects.select_related("organization").prefetch_related("budget_lines"), pk=pk
        )
        if not may_view_application(request.user, app):
            raise Http404
        return Response(self.VentureApplicationDetailOutput(app).data)


class VentureApplicationCreateApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    class VentureApplicationCreateInput(serializers.Serializer):
        round = serializers.IntegerField()
        organization = serializers.IntegerField()
        category = serializers.ChoiceField(choices=Category.choices)
        title = serializers.CharField(max_length=200)
        summary = serializers.CharField(required=False, allow_blank=True)
        need = serializers.CharField(required=False, allow_blank=True)
        target_group = serializers.CharField(required=False, allow_blank=True)
        activity_plan = serializers.CharField(required=False, allow_blank=True)
        duration_months = serializers.IntegerField(min_value=1)
        requested_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
        co_funding = serializers.DecimalField(max_digits=12, decimal_places=2, required=False)
        expected_direct = serializers.IntegerField(min_value=0, required=False)
        expected_indirect = serializers.IntegerField(min_value=0, required=False)
        budget_lines = VentureBudgetLineOutput(many=True)

    class VentureApplicationCreateOutput(serializers.Serializer):
        id = serializers.IntegerField()
        status = serializers.CharField()

    @extend_schema(request=VentureApplicationCreateInput, responses={201: VentureApplicationCreateOutput})
    def post(self, request):
        data = self.VentureApplicationCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        d = dict(data.validated_data)
        rnd = get_object_or_404(Round, pk=d.pop("round"))
        org_id = d.pop("organization")
        org = org_selectors.organizations_by_ids([org_id]).first()
        if org is None:
            raise Http404
        lines = [(b["item"], b["amount"]) for b in d.pop("budget_lines")]
        app = services.application_create(
            round=rnd, organization=org, user=request.user, data=d, budget_lines=lines
        )
        return Response({"id": app.pk, "status": app.status}, status=status.HTTP_201_CREATED)


class VentureApplicationSubmitApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    class VentureApplicationSubmitOutput(serializers.Serializer):
        id = serializers.IntegerField()
        status = serializers.CharField()

    @extend_schema(request=None, responses=VentureApplicationSubmitOutput)
    def post(self, request, pk: int):
        app = get_object_or_404(Application.objects.select_related("round"), pk=pk)
        if not may_view_application(request.user, app):
            raise Http404
        app = services.application_submit(application=app, user=request.user)
        return Response({"id": app.pk, "status": app.status})


class VentureReviewListApi(_Paginated):
    """The reviewer's assignments. The organization never appears (blind-safe by construction)."""

    permission_classes = [permissions.IsAuthenticated]

    class VentureReviewListOutput(serializers.Serializer):
        id = serializers.IntegerField()
        application = serializers.IntegerField(source="application_id")
        title = serializers.CharField(source="application.title")
        category = serializers.CharField(source="application.category")
        round = serializers.CharField(source="application.round.title")
        review_deadline = serializers.DateField(source="application.round.review_deadline", allow_null=True)
        status = serializers.CharField()
        total = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)

    @extend_schema(responses=VentureReviewListOutput(many=True))
    def get(self, request):
        return self.paginate(selectors.reviews_for_reviewer(request.user), self.VentureReviewListOutput)


class VentureScoreOutput(serializers.Serializer):
    criterion = serializers.IntegerField(source="criterion_id")
    score = serializers.DecimalField(max_digits=5, decimal_places=2)
    comment = serializers.CharField()


class VentureReviewDetailApi(APIView):
    """One assigned review with the application (no organization when the round is blind)."""

    permission_classes = [permissions.IsAuthenticated]

    class VentureReviewDetailOutput(serializers.Serializer):
        id = serializers.IntegerField()
        status = serializers.CharField()
        total = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
        title = serializers.CharField(source="application.title")
        summary = serializers.CharField(source="application.summary")
        need = serializers.CharField(source="application.need")
        activity_plan = serializers.CharField(source="application.activity_plan")
        requested_amount = serializers.DecimalField(
            source="application.requested_amount", max_digits=12, decimal_places=2
        )
        organization = serializers.SerializerMethodField()
        criteria = serializers.SerializerMethodField()
        scores = VentureScoreOutput(many=True)

        def get_organization(self, obj) -> str | None:
            if obj.application.round.blind_review:
                return None
            return org_selectors.organization_name(obj.application.organization_id)

        def get_criteria(self, obj) -> list[dict]:
            return [
                {"id": c.pk, "name": c.name, "weight": c.weight}
                for c in Criterion.objects.filter(round_id=obj.application.round_id)
            ]

    @extend_schema(responses=VentureReviewDetailOutput)
    def get(self, request, pk: int):
        review = get_object_or_404(
            Review.objects.select_related("application", "application__round").prefetch_related(
                Prefetch("scores")
            ),
            pk=pk,
            reviewer=request.user,
        )
        if review.status == Review.Status.CONFLICT:
            raise Http404
        return Response(self.VentureReviewDetailOutput(review).data)


class VentureReviewSubmitApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    class VentureReviewSubmitInput(serializers.Serializer):
        class VentureReviewScoreInput(serializers.Serializer):
            criterion = serializers.IntegerField()
            score = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100)
            comment = serializers.CharField(required=False, allow_blank=True, default="")

        scores = VentureReviewScoreInput(many=True)
        comment = serializers.CharField(required=False, allow_blank=True, default="")
        submit = serializers.BooleanField(default=True)

    class VentureReviewSubmitOutput(serializers.Serializer):
        id = serializers.IntegerField()
        status = serializers.CharField()
        total = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)

    @extend_schema(request=VentureReviewSubmitInput, responses=VentureReviewSubmitOutput)
    def post(self, request, pk: int):
        review = get_object_or_404(Review, pk=pk, reviewer=request.user)
        data = self.VentureReviewSubmitInput(data=request.data)
        data.is_valid(raise_exception=True)
        scores = {s["criterion"]: (s["score"], s["comment"]) for s in data.validated_data["scores"]}
        review = services.review_save(
            review=review,
            reviewer=request.user,
            scores=scores,
            comment=data.validated_data["comment"],
            submit=data.validated_data["submit"],
        )
        return Response(self.VentureReviewSubmitOutput(review).data)


class VentureRankingApi(_Paginated):
    """Staff: the round's ranking with scores computed by the database."""

    permission_classes = [permissions.IsAuthenticated]
    filter_backends = [DjangoFilterBackend]
    filterset_class = filters.VentureRankingFilter
    queryset = Application.objects.none()  # for the schema's filter parameters only

    class VentureRankingOutput(serializers.Serializer):
        id = serializers.IntegerField()
        rank = serializers.IntegerField()
        category_rank = serializers.IntegerField()
        title = serializers.CharField()
        organization = serializers.CharField(source="organization.name")
        category = serializers.CharField()
        score = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
        n_reviews = serializers.IntegerField()
        disagreement = serializers.BooleanField()
        requested_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
        cumulative = serializers.DecimalField(max_digits=14, decimal_places=2)
        status = serializers.CharField()
        award_amount = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)

    @extend_schema(responses=VentureRankingOutput(many=True))
    def get(self, request, pk: int):
        if not is_projects_staff(request.user):
            raise PermissionDenied
        rnd = get_object_or_404(Round, pk=pk)
        form = filters.VentureRankingFilter(request.query_params, queryset=Application.objects.none()).form
        category = (form.cleaned_data.get("category") or None) if form.is_valid() else None
        return self.paginate(selectors.ranking(round_id=rnd.pk, category=category), self.VentureRankingOutput)


class Venture360GivingApi(APIView):
    """Awarded grants as a 360Giving 1.4.3 data package (see ventures.opendata)."""

    permission_classes = [permissions.AllowAny]
    renderer_classes = [JSONRenderer]  # data, never the browsable HTML page

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        from django.http import HttpResponse
        from django.utils.translation import get_language

        from center.caching import CENTER
        from organizations.caching import DATA as ORGANIZATIONS
        from ventures.caching import DATA

        # Public and the same for everyone: rendered once per data version (ventures, the
        # organizations' and streets' names), language and address, and shared by every process
        # (center.caching).
        base_url = request.build_absolute_uri("/")
        body = DATA.cached(
            "360giving",
            lambda: JSONRenderer().render(opendata.grants_package(base_url=base_url)),
            base_url,
            get_language(),
            ORGANIZATIONS.data_version(),
            CENTER.data_version(),
        )
        return HttpResponse(body, content_type="application/json")
