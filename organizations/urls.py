from django.urls import path

from organizations import views

app_name = "organizations"

urlpatterns = [
    path("organizations/", views.directory, name="directory"),
    path("organizations/export.xlsx", views.directory_export, name="directory_export"),
    path("organizations/abnormal-list/", views.abnormal, name="abnormal_list"),
    path("organizations/<int:pk>/", views.detail, name="detail"),
    path("organizations/mine/", views.mine, name="mine"),
    path("organizations/new/", views.create, name="create"),
    path("organizations/join/", views.join, name="join"),
    path("organizations/<int:pk>/manage/", views.manage, name="manage"),
    path("organizations/<int:pk>/edit/", views.edit, name="edit"),
    path("organizations/<int:pk>/resubmit/", views.resubmit, name="resubmit"),
    path("organizations/<int:pk>/members/", views.members, name="members"),
    path("organizations/<int:pk>/members/<int:membership_id>/", views.member_action, name="member_action"),
    path(
        "organizations/<int:pk>/join-requests/<int:request_id>/",
        views.join_request_decide,
        name="join_request_decide",
    ),
    path("organizations/<int:pk>/status/", views.status_action, name="status_action"),
    path("organizations/<int:pk>/grading/apply/", views.grading_apply, name="grading_apply"),
    path(
        "organizations/<int:pk>/grading/<int:evaluation_id>/withdraw/",
        views.grading_withdraw,
        name="grading_withdraw",
    ),
    path("organizations/reports/<int:pk>/", views.report, name="report"),
    path("organizations/reports/<int:pk>/files/<str:field>/", views.report_file, name="report_file"),
    path("organizations/<int:pk>/certificate/", views.certificate_file, name="certificate_file"),
    path("organizations/reports/<int:pk>/review/", views.report_review, name="report_review"),
    path("organizations/staff/verify/", views.verify_queue, name="verify_queue"),
    path("organizations/staff/inspections/", views.campaigns, name="campaigns"),
    path("organizations/staff/inspections/<int:pk>/", views.campaign, name="campaign"),
    path(
        "organizations/staff/inspections/<int:pk>/export.xlsx", views.campaign_export, name="campaign_export"
    ),
    path("organizations/staff/grading/", views.grading, name="grading"),
    path("organizations/staff/grading/<int:pk>/", views.grading_score, name="grading_score"),
    path("organizations/staff/import/", views.import_upload, name="import"),
    path("organizations/staff/import/<int:pk>/", views.import_batch, name="import_batch"),
    path("organizations/staff/import/<int:pk>/progress/", views.import_progress, name="import_progress"),
]
