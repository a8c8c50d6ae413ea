"""Tours and departures pages (SPEC §6: /tours/, /tours/<id>/, /departures/<id>/)."""

from __future__ import annotations

from django.urls import path

from dreamland.tours import views

urlpatterns = [
    path("tours/", views.tour_list, name="tour_list"),
    path("tours/new/", views.tour_new, name="tour_new"),
    path("tours/<int:pk>/", views.tour_detail, name="tour_detail"),
    path("tours/<int:pk>/edit/", views.tour_edit, name="tour_edit"),
    path("tours/<int:pk>/departures/new/", views.departure_new, name="departure_new"),
    path("departures/<int:pk>/", views.departure_detail, name="departure_detail"),
    path("departures/<int:pk>/edit/", views.departure_edit, name="departure_edit"),
    path("departures/<int:pk>/manifest.csv", views.departure_manifest_csv, name="departure_csv"),
]
