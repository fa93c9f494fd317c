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
    path("organizations/<int:pk>/flag/", views.organization_flag, name="organization_flag"),
    path("organizations/<int:pk>/zombie/", views.zombie_decide, name="zombie_decide"),
    path("organizations/zombies/", views.ZombieListView.as_view(), name="zombie_list"),
    path("activities/", views.ActivityListView.as_view(), name="activity_list"),
    path("activities/new/", views.activity_create, name="activity_create"),
    path("trainings/", views.TrainingListView.as_view(), name="training_list"),
    path("trainings/new/", views.training_create, name="training_create"),
    path("grades/", views.GradeListView.as_view(), name="grade_list"),
    path("grades/new/", views.grade_create, name="grade_create"),
    path("brands/", views.BrandListView.as_view(), name="brand_list"),
    path("brands/new/", views.brand_create, name="brand_create"),
    path("credit-flags/", views.FlagListView.as_view(), name="flag_list"),
    path("credit-flags/<int:pk>/repair/", views.flag_repair, name="flag_repair"),
    path("organizations/<int:pk>/notice/", views.organization_notice, name="organization_notice"),
    path("rectification-notices/", views.NoticeListView.as_view(), name="notice_list"),
    path("rectification-notices/<int:pk>/result/", views.notice_result, name="notice_result"),
    path("imports/", views.import_page, name="import"),
    path("imports/template/<str:kind>/", views.import_template, name="import_template"),
    path("jobs/<int:pk>/", views.job_detail, name="job_detail"),
    path("jobs/<int:pk>/retry/", views.job_retry, name="job_retry"),
    path("jobs/<int:pk>/download/", views.job_download, name="job_download"),
    path("lookup/", views.public_lookup, name="public_lookup"),
    path("audit/", views.AuditListView.as_view(), name="audit_list"),
    path("notifications/", views.notification_list, name="notifications"),
    path("organizations/<int:pk>/invite/", views.organization_invite, name="organization_invite"),
    path("org/", views.org_home, name="org_home"),
    path("org/invite/", views.org_invite_delegate, name="org_invite_delegate"),
    path("org/invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
