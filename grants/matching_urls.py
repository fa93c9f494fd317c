"""Routes of the supply–demand board (included by grants/urls.py): staff under /board/, organizations under
/org/board/ (the only side the organization fence lets them reach)."""

from django.urls import path

from grants import matching_views as views

urlpatterns = [
    path("board/", views.PostingListView.as_view(), name="posting_list"),
    path("board/new/", views.posting_create, name="posting_create"),
    path("board/<int:pk>/", views.posting_detail, name="posting_detail"),
    path("board/<int:pk>/withdraw/", views.posting_withdraw, name="posting_withdraw"),
    path("board/interests/<int:pk>/pick/", views.interest_pick, name="interest_pick"),
    path("board/pairings/<int:pk>/activity/", views.pairing_activity, name="pairing_activity"),
    path("board/pairings/<int:pk>/evaluate/", views.pairing_evaluate, name="pairing_evaluate"),
    path("org/board/", views.org_board, name="org_board"),
    path("org/board/<int:pk>/", views.org_posting, name="org_posting"),
    path("org/board/interests/<int:pk>/", views.org_interest, name="org_interest"),
    path("org/board/pairings/<int:pk>/activity/", views.org_pairing_activity, name="org_pairing_activity"),
]
