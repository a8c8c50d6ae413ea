"""Tours and departures pages: every staff member reads them; managers and admins edit them.

Seats come from `bookings.selectors` (one annotation, so the list, the tour page and the
departure page always agree); writes go through `tours.services`, which holds the capacity rule.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from dreamland.accounts.models import User
from dreamland.bookings.capacity import departure_update, tour_update
from dreamland.bookings.selectors import departures_with_seats, occupancy, with_seats
from dreamland.lib.admin import add_service_errors
from dreamland.lib.errors import DomainError
from dreamland.tours.forms import DepartureForm, TourForm
from dreamland.tours.manifest import departure_manifest, manifest_csv
from dreamland.tours.models import Tour, TourDeparture
from dreamland.tours.services import departure_create, tour_create
from dreamland.web.access import require_manager

TOURS_PER_PAGE = 50
UPCOMING_SHOWN = 6  # departures per tour on /tours/; the tour page lists them all
PAST_SHOWN = 20


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _pk(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise Http404 from None


def tour_for(pk: object) -> Tour:
    """Tours are visible to all staff (SPEC §4): 404 only when there is no such tour."""
    tour = Tour.objects.filter(pk=_pk(pk)).first()
    if tour is None:
        raise Http404
    return tour


def departure_for(pk: object) -> TourDeparture:
    """A departure with its tour and `seats_taken` (visible to all staff)."""
    departure = departures_with_seats(TourDeparture.objects.filter(pk=_pk(pk))).first()
    if departure is None:
        raise Http404
    return departure


def _with_occupancy(departures: list[TourDeparture]) -> list[TourDeparture]:
    """`seats_left` and `occupancy_pct` (0..100) on a `departures_with_seats` page, no query."""
    with_seats(departures)
    for departure in departures:
        departure.occupancy_pct = round(occupancy(departure) * 100)  # type: ignore[attr-defined]
    return departures


def _upcoming(today: Any) -> QuerySet[TourDeparture]:
    return departures_with_seats(
        TourDeparture.objects.filter(departure_date__gte=today).order_by("departure_date", "pk")
    )


# --- reads --------------------------------------------------------------------------------------


@login_required
def tour_list(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show", "active")
    if show not in ("active", "all"):
        show = "active"
    tours = Tour.objects.order_by("name", "pk")
    if show == "active":
        tours = tours.filter(active=True)
    today = timezone.localdate()
    tours = tours.prefetch_related(Prefetch("departures", _upcoming(today), to_attr="upcoming"))
    page = Paginator(tours, TOURS_PER_PAGE).get_page(request.GET.get("page"))
    for tour in page:
        tour.more_upcoming = max(len(tour.upcoming) - UPCOMING_SHOWN, 0)  # type: ignore[attr-defined]
        tour.upcoming = _with_occupancy(tour.upcoming[:UPCOMING_SHOWN])  # type: ignore[attr-defined]
    return render(
        request,
        "tours/tour_list.html",
        {"page": page, "show": show, "can_edit": _user(request).is_manager},
    )


@login_required
def tour_detail(request: HttpRequest, pk: int) -> HttpResponse:
    tour = tour_for(pk)
    today = timezone.localdate()
    upcoming = _with_occupancy(list(_upcoming(today).filter(tour=tour)))
    past = _with_occupancy(
        list(
            departures_with_seats(
                TourDeparture.objects.filter(tour=tour, departure_date__lt=today).order_by(
                    "-departure_date", "-pk"
                )
            )[:PAST_SHOWN]
        )
    )
    return render(
        request,
        "tours/tour_detail.html",
        {
            "tour": tour,
            "upcoming": upcoming,
            "past": past,
            "can_edit": _user(request).is_manager,
        },
    )


@login_required
def departure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    departure = departure_for(pk)
    _with_occupancy([departure])
    user = _user(request)
    return render(
        request,
        "tours/departure_detail.html",
        {
            "departure": departure,
            "tour": departure.tour,
            "manifest": departure_manifest(user=user, departure=departure),
            "can_edit": user.is_manager,
            "partial_view": not user.is_manager,
        },
    )


@login_required
def departure_manifest_csv(request: HttpRequest, pk: int) -> HttpResponse:
    departure = departure_for(pk)
    manifest = departure_manifest(user=_user(request), departure=departure)
    return manifest_csv(manifest)


# --- writes (managers and admins) ---------------------------------------------------------------


def _save(form: Any, write: Any) -> Any:
    """Run a service in one transaction; its refusal lands on the form's fields (None then)."""
    try:
        with transaction.atomic():
            return write()
    except (ValidationError, DomainError) as exc:
        add_service_errors(form, exc)
        return None


def _form_page(
    request: HttpRequest, template: str, context: dict[str, Any], *, invalid: bool
) -> HttpResponse:
    return render(request, template, context, status=422 if invalid else 200)


@login_required
@require_http_methods(["GET", "POST"])
def tour_new(request: HttpRequest) -> HttpResponse:
    require_manager(_user(request))
    form = TourForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        tour = _save(form, lambda: tour_create(**data))
        if tour is not None:
            return redirect("tour_detail", pk=tour.pk)
    return _form_page(
        request,
        "tours/tour_form.html",
        {"form": form, "tour": None},
        invalid=request.method == "POST",
    )


@login_required
@require_http_methods(["GET", "POST"])
def tour_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_manager(_user(request))
    tour = tour_for(pk)
    form = TourForm(request.POST or None, instance=tour)
    if request.method == "POST" and form.is_valid():
        changes = form.changed_values()
        saved = _save(form, lambda: tour_update(tour=tour, **changes))
        if saved is not None:
            return redirect("tour_detail", pk=tour.pk)
    return _form_page(
        request,
        "tours/tour_form.html",
        {"form": form, "tour": tour},
        invalid=request.method == "POST",
    )


@login_required
@require_http_methods(["GET", "POST"])
def departure_new(request: HttpRequest, pk: int) -> HttpResponse:
    require_manager(_user(request))
    tour = tour_for(pk)
    form = DepartureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        departure = _save(form, lambda: departure_create(tour=tour, **data))
        if departure is not None:
            return redirect("departure_detail", pk=departure.pk)
    return _form_page(
        request,
        "tours/departure_form.html",
        {"form": form, "tour": tour, "departure": None},
        invalid=request.method == "POST",
    )


@login_required
@require_http_methods(["GET", "POST"])
def departure_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_manager(_user(request))
    departure = departure_for(pk)
    form = DepartureForm(request.POST or None, instance=departure)
    if request.method == "POST" and form.is_valid():
        changes = form.changed_values()
        saved = _save(form, lambda: departure_update(departure=departure, **changes))
        if saved is not None:
            return redirect("departure_detail", pk=departure.pk)
    return _form_page(
        request,
        "tours/departure_form.html",
        {"form": form, "tour": departure.tour, "departure": departure},
        invalid=request.method == "POST",
    )
