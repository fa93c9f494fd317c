from django.urls import path

from filings import portal, views

app_name = "filings"

urlpatterns = [
    path("cases/", views.CaseListView.as_view(), name="case_list"),
    path("cases/inbox/", views.InboxView.as_view(), name="inbox"),
    path("cases/new/<str:kind>/", views.case_create, name="case_create"),
    path("cases/<int:pk>/", views.CaseDetailView.as_view(), name="case_detail"),
    path("cases/<int:pk>/edit/", views.case_edit, name="case_edit"),
    path("cases/<int:pk>/act/", views.case_transition, name="case_transition"),
    path("cases/<int:pk>/documents/", views.document_upload, name="document_upload"),
    path("documents/<int:pk>/", views.document_download, name="document_download"),
    path("certificates/<int:pk>/pdf/", views.certificate_pdf, name="certificate_pdf"),
    path("verify/<str:code>/", views.verify, name="verify"),
    # The organization's own download (the staff route above is fenced off for organization users).
    path("org/certificates/<int:pk>/", views.certificate_pdf, name="org_certificate_pdf"),
    # The organization applying online itself (filings/portal.py).
    path("org/cases/new/<str:kind>/", portal.org_case_create, name="org_case_create"),
    path("org/cases/<int:pk>/", portal.OrgCaseView.as_view(), name="org_case"),
    path("org/cases/<int:pk>/edit/", portal.org_case_edit, name="org_case_edit"),
    path("org/cases/<int:pk>/documents/", portal.org_case_upload, name="org_case_upload"),
    path("org/cases/<int:pk>/act/", portal.org_case_step, name="org_case_step"),
]
