from django.urls import path

from grants import portal, views
from grants.matching_urls import urlpatterns as board_urlpatterns

app_name = "grants"

urlpatterns = [
    path("grants/", views.RoundListView.as_view(), name="round_list"),
    path("grants/rounds/new/", views.round_create, name="round_create"),
    path("grants/rounds/<int:pk>/", views.RoundDetailView.as_view(), name="round_detail"),
    path("grants/rounds/<int:pk>/setup/", views.round_setup, name="round_setup"),
    path("grants/rounds/<int:pk>/act/", views.round_transition, name="round_transition"),
    path("grants/rounds/<int:pk>/allocation/", views.round_allocation, name="round_allocation"),
    path("grants/rounds/<int:pk>/decide/", views.round_decide, name="round_decide"),
    path("grants/rounds/<int:pk>/summary/", views.round_summary, name="round_summary"),
    path("grants/rounds/<int:pk>/apply/", views.application_create, name="application_create"),
    path("grants/rounds/<int:pk>/rubric/", views.round_rubric, name="round_rubric"),
    path("grants/applications/<int:pk>/edit/", views.application_edit, name="application_edit"),
    path("grants/applications/<int:pk>/reports/", views.report_submit, name="report_submit"),
    path("grants/reports/<int:pk>/review/", views.report_review, name="report_review"),
    path("grants/tranches/<int:pk>/release/", views.tranche_release, name="tranche_release"),
    path("grants/funds/<int:pk>/", views.fund_detail, name="fund_detail"),
    path("grants/share/", views.county_share, name="county_share"),
    path("grants/reviews/", views.expert_reviews, name="expert_reviews"),
    path("grants/other-applicants/", views.other_applicants, name="other_applicants"),
    path("grants/applications/", views.ApplicationListView.as_view(), name="application_list"),
    path("grants/applications/<int:pk>/", views.ApplicationDetailView.as_view(), name="application_detail"),
    path("grants/applications/<int:pk>/act/", views.application_transition, name="application_transition"),
    path("grants/applications/<int:pk>/assign/", views.application_assign, name="application_assign"),
    path("grants/applications/<int:pk>/score/", views.application_score, name="application_score"),
    path("grants/applications/<int:pk>/notice/", views.application_notice, name="application_notice"),
    path("grants/applications/<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("grants/attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("grants/tranches/<int:pk>/payments/", views.tranche_payment, name="tranche_payment"),
    path("grants/payments/", views.PaymentListView.as_view(), name="payment_list"),
    path("grants/funds/", views.FundListView.as_view(), name="fund_list"),
    path("grants/funds/new/", views.fund_create, name="fund_create"),
    path("grants/subsidies/", views.SubsidyListView.as_view(), name="subsidy_list"),
    path("grants/subsidies/new/", views.subsidy_create, name="subsidy_create"),
    path("grants/links/", views.ExpertLinkListView.as_view(), name="link_list"),
    path("grants/links/new/", views.link_create, name="link_create"),
    # The organization applying online itself (grants/portal.py).
    path("org/grants/rounds/<int:pk>/apply/", portal.org_application_create, name="org_application_create"),
    path("org/grants/applications/<int:pk>/", portal.OrgApplicationView.as_view(), name="org_application"),
    path("org/grants/applications/<int:pk>/act/", portal.org_application_step, name="org_application_step"),
    *board_urlpatterns,
]
