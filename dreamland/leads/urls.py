from __future__ import annotations

from django.urls import path

from dreamland.leads import views

urlpatterns = [
    path("pipeline/", views.pipeline, name="pipeline"),
    path("pipeline/column/<str:status>/", views.pipeline_column, name="pipeline_column"),
    path("pipeline/assign/", views.leads_assign, name="leads_assign"),
    path("leads/<int:pk>/", views.lead_detail, name="lead_detail"),
    path("leads/<int:pk>/move/", views.lead_move, name="lead_move"),
    path("leads/<int:pk>/lost/", views.lead_lost, name="lead_lost"),
    path("settings/lost-reasons/", views.lost_reasons, name="lost_reasons"),
]
