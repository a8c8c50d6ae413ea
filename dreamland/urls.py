"""URL map: the workplace's pages at the root, the back office under /admin/, the API, webhooks."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    # First: Meta's deliveries are the busiest URL, and resolving walks this list in order.
    path("webhooks/", include("dreamland.whatsapp.urls")),
    path("", include("dreamland.web.urls")),
    path("", include("dreamland.imports.urls")),
    path("", include("dreamland.reports.urls")),
    path("", include("dreamland.tours.urls")),
    path("", include("dreamland.staff_settings.urls")),
    path("", include("dreamland.messaging.urls")),
    path("", include("dreamland.clients.urls")),
    path("", include("dreamland.leads.urls")),
    path("", include("dreamland.bookings.urls")),
    path("", include("dreamland.reminders.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("dreamland.api.urls")),
]
# No public /media/: WhatsApp media is served only by views that check the conversation's
# permissions (SPEC §4), never straight from MEDIA_ROOT.
