from __future__ import annotations

from django.urls import path

from dreamland.imports import views

# Mounted before the clients app's `/clients/<id>/` pages.
urlpatterns = [
    path("clients/import/", views.import_start, name="import_start"),
    path("clients/import/<int:pk>/", views.import_job, name="import_job"),
    path("clients/import/<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("clients/import/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("clients/import/<int:pk>/rejected.csv", views.import_rejected, name="import_rejected"),
]
