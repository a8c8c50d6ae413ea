from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from dreamland.whatsapp import views

# Both spellings: Meta POSTs to exactly the configured URL and does not follow redirects.
urlpatterns: list[URLPattern | URLResolver] = [
    path("whatsapp", views.whatsapp_webhook, name="whatsapp_webhook"),
    path("whatsapp/", views.whatsapp_webhook, name="whatsapp_webhook_slash"),
]
