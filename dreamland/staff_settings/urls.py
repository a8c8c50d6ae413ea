"""The settings pages under /settings/ (SPEC §6)."""

from __future__ import annotations

from django.urls import path

from dreamland.staff_settings import views

urlpatterns = [
    path("settings/", views.settings_home, name="settings_home"),
    path("settings/round-robin/", views.round_robin_toggle, name="settings_round_robin"),
    path("settings/users/", views.user_list, name="settings_users"),
    path("settings/users/<int:pk>/", views.user_edit, name="settings_user"),
    path("settings/users/<int:pk>/password/", views.user_password, name="settings_user_password"),
    path("settings/templates/", views.template_list, name="settings_templates"),
    path("settings/templates/new/", views.template_new, name="settings_template_new"),
    path("settings/templates/preview/", views.template_preview, name="settings_template_preview"),
    path("settings/templates/<int:pk>/", views.template_edit, name="settings_template"),
    path("settings/rates/", views.rate_list, name="settings_rates"),
    path("settings/reminders/", views.reminders, name="settings_reminders"),
    path("settings/tour-aliases/", views.tour_aliases, name="settings_tour_aliases"),
]
