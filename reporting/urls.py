from django.urls import path

from reporting import views

app_name = "reporting"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/<str:pk>/rows/<str:indicator>/", views.figure_rows, name="figure_rows"),
    path("reports/", views.yearly_list, name="yearly_list"),
    path("reports/request/", views.yearly_request, name="yearly_request"),
    path("reports/<int:pk>/", views.yearly_detail, name="yearly_detail"),
    path("reports/<int:pk>/<str:fmt>/", views.yearly_file, name="yearly_file"),
]
