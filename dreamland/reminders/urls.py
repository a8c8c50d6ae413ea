"""`/reminders/`: the reminders the user is shown."""

from __future__ import annotations

from django.urls import path

from dreamland.reminders import views

urlpatterns = [path("reminders/", views.reminder_list, name="reminder_list")]
