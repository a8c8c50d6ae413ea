from __future__ import annotations

from django.urls import path

from dreamland.messaging import views

app_name = "messaging"

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/poll/", views.inbox_poll, name="poll"),
    path("inbox/new/", views.inbox_new, name="new"),
    path("inbox/media/<int:communication_id>/", views.media, name="media"),
    path("inbox/<int:client_id>/", views.conversation, name="conversation"),
    path("inbox/<int:client_id>/history/", views.conversation_history, name="history"),
    path("inbox/<int:client_id>/changes/", views.conversation_changes, name="changes"),
    path("inbox/<int:client_id>/composer/", views.conversation_composer, name="composer"),
    path("inbox/<int:client_id>/send/", views.conversation_send, name="send"),
    path("inbox/<int:client_id>/template/", views.conversation_template, name="template"),
    path(
        "inbox/<int:client_id>/retry/<int:communication_id>/",
        views.conversation_retry,
        name="retry",
    ),
    path("inbox/<int:client_id>/log/", views.conversation_log, name="log"),
    path("inbox/<int:client_id>/tour/", views.conversation_tour, name="tour"),
]
