"""The REST API v1 (SPEC §6): django-ninja, OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs."""

from __future__ import annotations

from ninja import NinjaAPI, Swagger

from dreamland.api.auth import BearerToken
from dreamland.api.errors import install_error_handlers
from dreamland.api.parser import JsonOrFormParser
from dreamland.api.routers import (
    auth,
    bookings,
    clients,
    communications,
    leads,
    payments,
    templates,
    tours,
    users,
)

api = NinjaAPI(
    title="Dreamland PRO API",
    version="1",
    description=(
        "CRM and bookings of Dreamland. Authenticate with `POST /api/v1/auth/token`, then send "
        "`Authorization: Bearer <token>`. Lists answer `{items, count}` with `limit`/`offset`, in a "
        "stable order: clients, leads, bookings, payments and communications newest first "
        "(`created_at` desc, then `id` desc); tours, templates and users by name; departures by "
        "date. Bodies are JSON (form-encoded is accepted too); "
        "a trailing slash on any path is optional.\n\n"
        "Visibility: managers and admins see everything. Agents see leads assigned to them or "
        "unassigned; clients with such a lead or with no lead at all; bookings, payments and "
        "communications of those clients. Anything else answers 404. Tours, departures, "
        "templates and users are readable by all; only admins write them."
    ),
    auth=BearerToken(),
    parser=JsonOrFormParser(),
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
    # Rendered from ninja's own static files (ninja is in INSTALLED_APPS): no CDN.
    docs=Swagger(settings={"persistAuthorization": True}),
)
install_error_handlers(api)

api.add_router("/auth", auth.router)
api.add_router("/clients", clients.router)
api.add_router("/leads", leads.router)
api.add_router("/tours", tours.router)
api.add_router("/tour-departures", tours.departures_router)
api.add_router("/bookings", bookings.router)
api.add_router("/payments", payments.router)
api.add_router("/communications", communications.router)
api.add_router("/whatsapp-templates", templates.router)
api.add_router("/users", users.router)
