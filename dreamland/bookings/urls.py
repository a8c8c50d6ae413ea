from __future__ import annotations

from django.urls import path

from dreamland.bookings import views

urlpatterns = [
    path("bookings/", views.booking_list, name="booking_list"),
    path("bookings/new/", views.booking_new, name="booking_new"),
    path("bookings/<int:pk>/", views.booking_detail, name="booking_detail"),
    path(
        "bookings/<int:pk>/participants/", views.booking_participants, name="booking_participants"
    ),
    path("bookings/<int:pk>/move/", views.booking_move, name="booking_move"),
    path("bookings/<int:pk>/cancel/", views.booking_cancel_view, name="booking_cancel"),
    path("bookings/<int:pk>/travellers/", views.booking_travellers, name="booking_travellers"),
    path("bookings/<int:pk>/payments/", views.payment_add, name="payment_add"),
    path("payments/<int:pk>/status/", views.payment_status, name="payment_status"),
]
