"""/clients/ and /clients/<id>/ with the card's fragments. `/clients/import/` is mounted by the
import module before these patterns (the int converters never match it)."""

from __future__ import annotations

from django.urls import path

from dreamland.clients import views

app_name = "clients"

urlpatterns = [
    path("clients/", views.client_list, name="list"),
    path("clients/<int:pk>/", views.client_detail, name="detail"),
    path("clients/<int:pk>/timeline/", views.client_timeline_page, name="timeline"),
    path("clients/<int:pk>/profile/", views.client_profile, name="profile"),
    path("clients/<int:pk>/leads/new/", views.lead_new, name="lead_new"),
    path("clients/<int:pk>/leads/<int:lead_pk>/status/", views.lead_status, name="lead_status"),
    path(
        "clients/<int:pk>/leads/<int:lead_pk>/assign/", views.lead_assign_view, name="lead_assign"
    ),
    path("clients/<int:pk>/leads/<int:lead_pk>/tour/", views.lead_tour, name="lead_tour"),
]
