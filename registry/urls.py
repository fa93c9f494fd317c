from django.urls import path

from registry import views

app_name = "registry"

urlpatterns = [
    path("regions/", views.RegionListView.as_view(), name="region_list"),
    path("regions/new-community/", views.community_create, name="community_create"),
    path("regions/import-communities/", views.community_import, name="community_import"),
    path("regions/<str:pk>/", views.RegionDetailView.as_view(), name="region_detail"),
]
