from django.urls import path

from reporting import target_views, views

app_name = "reporting"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/<str:pk>/rows/<str:indicator>/", views.figure_rows, name="figure_rows"),
    path("dashboard/<str:pk>/below-target/<str:kind>/", views.below_target, name="below_target"),
    path("targets/", target_views.targets, name="targets"),
    path("reports/", views.yearly_list, name="yearly_list"),
    path("reports/request/", views.yearly_request, name="yearly_request"),
    path("reports/<int:pk>/", views.yearly_detail, name="yearly_detail"),
    path("reports/<int:pk>/<str:fmt>/", views.yearly_file, name="yearly_file"),
]
