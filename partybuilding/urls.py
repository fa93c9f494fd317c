from django.urls import path

from partybuilding import views

app_name = "partybuilding"

urlpatterns = [
    path("party/", views.coverage_overview, name="coverage"),
    path("party/organizations/", views.PartyOrganizationListView.as_view(), name="organization_list"),
    path("party/assign/", views.bulk_assign, name="bulk_assign"),
    path("party/import/", views.party_import, name="import"),
    path("party/import/template.xlsx", views.import_template, name="import_template"),
    path("organizations/<int:pk>/party/", views.organization_party, name="organization_party"),
]
