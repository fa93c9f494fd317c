from django.urls import path

from registry import views

app_name = "registry"

urlpatterns = [
    path("regions/", views.RegionListView.as_view(), name="region_list"),
    path("regions/new-community/", views.community_create, name="community_create"),
    path("regions/import-communities/", views.community_import, name="community_import"),
    path("regions/<str:pk>/", views.RegionDetailView.as_view(), name="region_detail"),
    path("organizations/", views.OrganizationListView.as_view(), name="organization_list"),
    path("organizations/<int:pk>/", views.OrganizationDetailView.as_view(), name="organization_detail"),
    path("organizations/<int:pk>/id-number/", views.reveal_id_number, name="organization_reveal_id"),
]
