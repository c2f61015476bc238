from django.urls import path

from organizations import apis

urlpatterns = [
    path("organizations/", apis.OrganizationDirectoryListApi.as_view(), name="api-organizations"),
    path("organizations/<int:pk>/", apis.OrganizationDirectoryDetailApi.as_view(), name="api-organization"),
    path(
        "organizations/<int:pk>/profile/",
        apis.OrganizationProfileApi.as_view(),
        name="api-organization-profile",
    ),
    path(
        "organizations/<int:pk>/members/",
        apis.OrganizationMemberListApi.as_view(),
        name="api-organization-members",
    ),
    path(
        "organizations/<int:pk>/annual-reports/",
        apis.OrganizationAnnualReportListApi.as_view(),
        name="api-organization-reports",
    ),
    path("annual-reports/<int:pk>/", apis.AnnualReportDetailApi.as_view(), name="api-annual-report"),
    path(
        "inspection-campaigns/<int:pk>/progress/",
        apis.CampaignProgressApi.as_view(),
        name="api-campaign-progress",
    ),
]
