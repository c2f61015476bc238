"""REST API: the public directory, owners' profile updates, private lists for members and staff."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from center.api.shared import SharedListMixin
from center.caching import CENTER
from organizations import selectors, services
from organizations.caching import DATA
from organizations.filters import OrganizationDirectoryFilter
from organizations.models import AnnualReport, InspectionCampaign, Membership, Organization
from organizations.pagination import DirectoryApiPagination


class OrganizationServiceAreaOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class OrganizationDirectoryListApi(SharedListMixin, generics.ListAPIView):
    """Verified organizations; search `q` by name (substring) or credit code; filters by type,
    street, service area (code) and grade."""

    class OrganizationListOutput(serializers.ModelSerializer):
        street = serializers.CharField(source="street.name", default="", read_only=True)
        service_areas = OrganizationServiceAreaOutput(many=True, read_only=True)

        class Meta:
            model = Organization
            fields = [
                "id",
                "name",
                "short_name",
                "org_type",
                "credit_code",
                "filing_number",
                "street",
                "registration_date",
                "grade",
                "grade_valid_until",
                "service_areas",
            ]

    permission_classes = [permissions.AllowAny]
    # The same for every caller: each page kept in the shared cache (center.api.shared).
    cache_namespace = DATA
    cache_also = (CENTER,)
    serializer_class = OrganizationListOutput
    filterset_class = OrganizationDirectoryFilter
    pagination_class = DirectoryApiPagination

    def get_queryset(self):
        return selectors.directory_queryset()


class OrganizationDirectoryDetailApi(generics.RetrieveAPIView):
    class OrganizationDetailOutput(serializers.ModelSerializer):
        street = serializers.CharField(source="street.name", default="", read_only=True)
        community = serializers.CharField(source="community.name", default="", read_only=True)
        service_areas = OrganizationServiceAreaOutput(many=True, read_only=True)
        status = serializers.CharField(read_only=True, help_text="verified")

        class Meta:
            model = Organization
            fields = [
                "id",
                "name",
                "short_name",
                "english_name",
                "org_type",
                "credit_code",
                "filing_number",
                "status",
                "registration_authority",
                "registration_date",
                "legal_representative",
                "supervising_unit",
                "registered_funds",
                "business_scope",
                "service_areas",
                "address",
                "street",
                "community",
                "website",
                "grade",
                "grade_valid_until",
            ]

    permission_classes = [permissions.AllowAny]
    serializer_class = OrganizationDetailOutput

    def get_object(self):
        try:
            return selectors.directory_detail(self.kwargs["pk"])
        except Organization.DoesNotExist:
            from django.http import Http404

            raise Http404 from None


def _check_private(request, pk: int) -> Organization:
    if not selectors.user_may_see_private(request.user, pk):
        raise PermissionDenied
    return get_object_or_404(Organization, pk=pk)


class OrganizationProfileApi(APIView):
    """The full profile of one organization, for its members and staff; owners PATCH it."""

    permission_classes = [permissions.IsAuthenticated]

    class OrganizationProfileOutput(serializers.ModelSerializer):
        service_areas = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
        # plain strings: drf-spectacular would otherwise name one enum "status" for several choice sets
        status = serializers.CharField(
            read_only=True, help_text="pending, verified, abnormal, deregistered, refused"
        )

        class Meta:
            model = Organization
            fields = [
                "id",
                "name",
                "short_name",
                "english_name",
                "org_type",
                "credit_code",
                "filing_number",
                "status",
                "street",
                "community",
                "registration_authority",
                "registration_date",
                "legal_representative",
                "supervising_unit",
                "registered_funds",
                "business_scope",
                "service_areas",
                "address",
                "contact_person",
                "phone",
                "email",
                "website",
                "grade",
                "grade_valid_until",
            ]

    class OrganizationProfileInput(serializers.Serializer):
        name = serializers.CharField(max_length=200, required=False)
        short_name = serializers.CharField(max_length=60, required=False, allow_blank=True)
        english_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
        legal_representative = serializers.CharField(max_length=60, required=False, allow_blank=True)
        supervising_unit = serializers.CharField(max_length=100, required=False, allow_blank=True)
        registered_funds = serializers.DecimalField(
            max_digits=12, decimal_places=2, required=False, allow_null=True
        )
        business_scope = serializers.CharField(required=False, allow_blank=True)
        address = serializers.CharField(max_length=200, required=False, allow_blank=True)
        contact_person = serializers.CharField(max_length=60, required=False, allow_blank=True)
        phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
        email = serializers.EmailField(required=False, allow_blank=True)
        website = serializers.URLField(required=False, allow_blank=True)
        service_areas = serializers.ListField(child=serializers.SlugField(), required=False)

    @extend_schema(responses=OrganizationProfileOutput)
    def get(self, request, pk: int):
        org = _check_private(request, pk)
        return Response(self.OrganizationProfileOutput(org).data)

    @extend_schema(request=OrganizationProfileInput, responses=OrganizationProfileOutput)
    def patch(self, request, pk: int):
        org = _check_private(request, pk)
        if not selectors.user_may_manage(request.user, pk):
            raise PermissionDenied
        data = self.OrganizationProfileInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        areas = None
        if "service_areas" in values:
            from organizations.models import ServiceArea

            codes = values.pop("service_areas")
            areas = list(ServiceArea.objects.filter(code__in=codes))
            if len(areas) != len(set(codes)):
                raise serializers.ValidationError({"service_areas": ["Unknown service area code."]})
        org = services.organization_update(
            organization=org, user=request.user, data=values, service_areas=areas
        )
        return Response(self.OrganizationProfileOutput(selectors.organization_private(org.pk)).data)


class OrganizationMemberListApi(generics.ListAPIView):
    class OrganizationMemberOutput(serializers.ModelSerializer):
        username = serializers.CharField(source="user.username")
        display_name = serializers.CharField(source="user.display_name")

        class Meta:
            model = Membership
            fields = ["id", "username", "display_name", "role", "created_at"]

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = OrganizationMemberOutput

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Membership.objects.none()
        _check_private(self.request, self.kwargs["pk"])
        return selectors.member_list(self.kwargs["pk"])


class AnnualReportOutputMixin(serializers.ModelSerializer):
    year = serializers.IntegerField(source="campaign.year")
    deadline = serializers.DateField(source="campaign.deadline")
    status = serializers.CharField(read_only=True, help_text="draft, submitted, returned, accepted")

    class Meta:
        model = AnnualReport
        fields = [
            "id",
            "organization",
            "year",
            "deadline",
            "status",
            "result",
            "activities",
            "event_count",
            "beneficiaries",
            "income",
            "expenditure",
            "net_assets",
            "fulltime_staff",
            "parttime_staff",
            "volunteers",
            "has_party_organization",
            "staff_comments",
            "submitted_at",
            "reviewed_at",
        ]


class OrganizationAnnualReportListApi(generics.ListAPIView):
    class AnnualReportOutput(AnnualReportOutputMixin):
        pass

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = AnnualReportOutput

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AnnualReport.objects.none()
        _check_private(self.request, self.kwargs["pk"])
        return selectors.reports_of_organization(self.kwargs["pk"])


class AnnualReportDetailApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    class AnnualReportDetailOutput(AnnualReportOutputMixin):
        pass

    @extend_schema(responses=AnnualReportDetailOutput)
    def get(self, request, pk: int):
        report = get_object_or_404(AnnualReport.objects.select_related("campaign"), pk=pk)
        if not selectors.user_may_see_private(request.user, report.organization_id):
            raise PermissionDenied
        return Response(self.AnnualReportDetailOutput(report).data)


class CampaignProgressRowOutput(serializers.Serializer):
    label = serializers.CharField()
    enrolled = serializers.IntegerField()
    draft = serializers.IntegerField()
    submitted = serializers.IntegerField()
    returned = serializers.IntegerField()
    accepted = serializers.IntegerField()
    qualified = serializers.IntegerField()
    basically = serializers.IntegerField()
    unqualified = serializers.IntegerField()


class CampaignProgressApi(APIView):
    """Progress of an annual inspection campaign by street and by type (center staff)."""

    permission_classes = [permissions.IsAuthenticated]

    class CampaignProgressOutput(serializers.Serializer):
        year = serializers.IntegerField()
        opens_on = serializers.DateField()
        deadline = serializers.DateField()
        by_street = CampaignProgressRowOutput(many=True)
        by_type = CampaignProgressRowOutput(many=True)
        total = CampaignProgressRowOutput()

    @extend_schema(responses=CampaignProgressOutput)
    def get(self, request, pk: int):
        if not request.user.is_center_staff:
            raise PermissionDenied
        campaign = get_object_or_404(InspectionCampaign, pk=pk)
        progress = selectors.campaign_progress(campaign)
        row = CampaignProgressRowOutput
        return Response(
            {
                "year": campaign.year,
                "opens_on": campaign.opens_on,
                "deadline": campaign.deadline,
                "by_street": row(progress["by_street"], many=True).data,
                "by_type": row(progress["by_type"], many=True).data,
                "total": row(progress["total"]).data,
            }
        )
