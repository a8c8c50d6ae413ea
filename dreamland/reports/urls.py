from __future__ import annotations

from django.urls import path, re_path

from dreamland.reports import views

urlpatterns = [
    path("reports/", views.reports_page, name="reports"),
    re_path(
        r"^reports/(?P<name>[a-z-]+)\.(?P<fmt>csv|xlsx)$",
        views.report_download,
        name="report_download",
    ),
    re_path(
        r"^exports/(?P<entity>[a-z]+)\.(?P<fmt>csv|xlsx)$",
        views.export_download,
        name="export_download",
    ),
]
