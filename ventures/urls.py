from django.urls import path

from ventures import views

app_name = "ventures"

urlpatterns = [
    path("ventures/", views.round_list, name="round_list"),
    path("ventures/rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("ventures/awarded/", views.awarded_list, name="awarded_list"),
    path("ventures/rounds/<int:pk>/notice/", views.notice, name="notice"),
    path("ventures/applications/<int:pk>/objection/", views.objection_file, name="objection_file"),
    # applicant
    path("ventures/mine/", views.my_applications, name="my_applications"),
    path("ventures/rounds/<int:round_pk>/apply/", views.application_new, name="application_new"),
    path("ventures/applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("ventures/applications/<int:pk>/edit/", views.application_edit, name="application_edit"),
    path("ventures/applications/<int:pk>/submit/", views.application_submit, name="application_submit"),
    path("ventures/applications/<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path(
        "ventures/applications/<int:pk>/attachments/<int:attachment_pk>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path("ventures/applications/<int:pk>/agreement/accept/", views.agreement_accept, name="agreement_accept"),
    path("ventures/reports/<int:pk>/", views.report_edit, name="report"),
    # staff
    path("ventures/manage/", views.manage, name="manage"),
    path("ventures/manage/rounds/<int:pk>/", views.round_dashboard, name="dashboard"),
    path("ventures/manage/rounds/new/", views.round_edit, name="round_new"),
    path(
        "ventures/manage/rounds/<int:pk>/applications/", views.round_applications, name="round_applications"
    ),
    path("ventures/manage/rounds/<int:pk>/edit/", views.round_edit, name="round_edit"),
    path("ventures/manage/funds/new/", views.fund_new, name="fund_new"),
    path("ventures/manage/rounds/<int:pk>/ranking/", views.ranking, name="ranking"),
    path("ventures/manage/rounds/<int:pk>/assign/", views.assign_round, name="assign_round"),
    path("ventures/manage/rounds/<int:pk>/suggest/", views.suggest_apply, name="suggest_apply"),
    path("ventures/manage/rounds/<int:pk>/notice/", views.notice_publish, name="notice_publish"),
    path(
        "ventures/manage/rounds/<int:pk>/applications.xlsx",
        views.export_applications,
        name="export_applications",
    ),
    path("ventures/manage/rounds/<int:pk>/reviews.xlsx", views.export_reviews, name="export_reviews"),
    path("ventures/manage/rounds/<int:pk>/awards.xlsx", views.export_awards, name="export_awards"),
    path("ventures/manage/applications/<int:pk>/screen/", views.screening, name="screening"),
    path("ventures/manage/applications/<int:pk>/assign/", views.assign_reviewers, name="assign"),
    path("ventures/manage/applications/<int:pk>/award/", views.award, name="award"),
    path("ventures/manage/applications/<int:pk>/terminate/", views.terminate, name="terminate"),
    path("ventures/manage/reviews/<int:pk>/reopen/", views.review_reopen, name="review_reopen"),
    path("ventures/manage/objections/<int:pk>/resolve/", views.objection_resolve, name="objection_resolve"),
    path("ventures/manage/installments/<int:pk>/pay/", views.installment_pay, name="installment_pay"),
    path("ventures/manage/reports/<int:pk>/evaluate/", views.report_evaluate, name="report_evaluate"),
    # reviewers
    path("ventures/reviews/", views.my_reviews, name="my_reviews"),
    path("ventures/reviews/export.xlsx", views.my_reviews_export, name="my_reviews_export"),
    path("ventures/reviews/<int:pk>/", views.review_detail, name="review_detail"),
    path("ventures/reviews/<int:pk>/conflict/", views.review_conflict, name="review_conflict"),
    path(
        "ventures/reviews/<int:pk>/attachments/<int:attachment_pk>/",
        views.review_attachment,
        name="review_attachment",
    ),
]
