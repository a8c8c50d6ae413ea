"""/reports/: every report on one page (charts, tables, definitions) and each table as a download."""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from dreamland.accounts.models import User
from dreamland.lib.spreadsheet import spreadsheet_response
from dreamland.reports import charts, exports, formatting, tables
from dreamland.reports import selectors as s
from dreamland.reports.forms import ReportFilterForm
from dreamland.reports.results import TTL, page_key, report_keys, report_results


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _money(currency: str) -> Any:
    return lambda value: formatting.money_whole(value, currency)


_count, _pct = formatting.count, formatting.pct


def _month_labels(months: list[Any]) -> list[str]:
    return [formats.date_format(m, "M y") for m in months]


def _charts(results: dict[str, Any], currency: str) -> dict[str, Any]:
    money = _money(currency)
    funnel: s.Funnel = results["funnel"]
    source_rows, _total = results["sources"]
    months = results["acquisition"]
    agents, bands = results["agents"]
    revenue: s.Revenue = results["revenue"]
    occupancy: s.Occupancy = results["occupancy"]
    top: s.TopClients = results["top_clients"]
    labels = _month_labels([m.month for m in revenue.months])
    return {
        "funnel": charts.hbars(
            [
                (
                    st.label,
                    st.reached,
                    _count(st.reached)
                    + ("" if st.conversion is None else f" · {_pct(st.conversion)}"),
                )
                for st in funnel.stages
            ]
        ),
        "sources": charts.hbars(
            [
                (r.label, r.revenue, f"{money(r.revenue)} · {_pct(r.conversion)}")
                for r in source_rows
            ]
        ),
        "acquisition": charts.columns(
            [m.month for m in months],
            [
                ("series-a", [m.first_time for m in months]),
                ("series-b", [m.returning for m in months]),
                ("series-c", [m.new_contacts for m in months]),
            ],
            labels=_month_labels([m.month for m in months]),
            value_format=_count,
            titles=[_("First-time clients"), _("Returning clients"), _("New contacts")],
        ),
        "agents": charts.hbars(
            [
                (a.name, a.won, f"{_count(a.won)} / {_count(a.leads)} · {_pct(a.won_rate)}")
                for a in agents
            ]
        ),
        "bands": charts.hbars(
            [
                (b.label, (b.won_rate or 0) * 100, f"{_pct(b.won_rate)} · {_count(b.leads)}")
                for b in bands
            ]
        ),
        "revenue": charts.columns(
            [m.month for m in revenue.months],
            [("series-a", [m.revenue for m in revenue.months])],
            labels=labels,
            value_format=money,
            titles=[_("Revenue")],
        ),
        "revenue_tours": charts.hbars(
            [(t.name, t.revenue, money(t.revenue)) for t in revenue.tours[:10]]
        ),
        "occupancy": charts.hbars(
            [
                (t.name, (t.occupancy or 0) * 100, f"{_pct(t.occupancy)} · {t.seats}/{t.capacity}")
                for t in occupancy.tours[:12]
            ]
        ),
        "top_clients": charts.hbars(
            [
                (c.name, c.lifetime_value or 0, money(c.lifetime_value or 0))  # type: ignore[attr-defined]
                for c in top.clients[:10]
            ]
        ),
    }


@login_required
@require_GET
def reports_page(request: HttpRequest) -> HttpResponse:
    """Managers and admins read everyone's figures (or one agent's); an agent reads their own."""
    user = _user(request)
    form = ReportFilterForm(request.GET, user=user)
    if not form.is_valid():
        return render(request, "reports/page.html", {"form": form}, status=400)
    f = form.report_filter()
    keys = report_keys(f)
    # The form's own fields only: another parameter must not make (and store) another page.
    query = urlencode([(k, request.GET[k]) for k in form.fields if request.GET.get(k)])
    key = page_key(keys, query)
    # the sections, read from the cache only when the figures are rendered (a cached page needs
    # none of them) or asked for (`r` in the context: tests and the page's callers read it)
    results = cast(dict[str, Any], SimpleLazyObject(lambda: report_results(f, keys)))
    figures = cache.get(key)
    if figures is None:
        figures = render_to_string(
            "reports/page.html#figures", _figures(f, results, query), request
        )
        cache.set(key, figures, TTL)
    ctx = {"form": form, "f": f, "r": results, "figures": mark_safe(figures)}  # noqa: S308 (our own render)
    return render(request, "reports/page.html", ctx)


def _figures(f: s.ReportFilter, results: dict[str, Any], query: str) -> dict[str, Any]:
    """What the figures' partial reads: the results, their tables and charts."""
    return {
        "f": f,
        "r": results,
        "t": {
            table.name.replace("-", "_"): table
            for name, result in results.items()
            for table in tables.tables_for(name, result, f.currency)
        },
        "charts": _charts(results, f.currency),
        "query": query,
        "missing": sorted(
            results["revenue"].missing
            | results["sources"][1].missing
            | results["outstanding"].total_due.missing
            | results["outstanding"].overdue_total.missing
        ),
    }


@login_required
@require_GET
def report_download(request: HttpRequest, name: str, fmt: str) -> HttpResponse:
    """One report's table as CSV or XLSX, with the page's filters (`?start=…&end=…&agent=…`)."""
    if name not in tables.TABLES:
        raise Http404
    user = _user(request)
    form = ReportFilterForm(request.GET, user=user)
    if not form.is_valid():
        errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    f = form.report_filter()
    report, build = tables.TABLES[name]
    table = build(report_results(f, report_keys(f, [report]))[report], f.currency)
    filename = f"{name}-{f.start.isoformat()}-{f.end.isoformat()}"
    return spreadsheet_response(
        table.spreadsheet_rows(), table.spreadsheet_columns(), filename, fmt
    )


@login_required
@require_GET
def export_download(request: HttpRequest, entity: str, fmt: str) -> HttpResponse:
    """`/exports/<clients|leads|bookings|payments>.<csv|xlsx>?<the list's filters>`: what the
    user may see (`api.access.visible_*`); a bad filter is a 400 naming the field."""
    export = exports.EXPORTS.get(entity)
    if export is None:
        raise Http404
    form = export.form(request.GET)
    if not form.is_valid():
        errors = "; ".join(f"{name}: {e}" for name, errs in form.errors.items() for e in errs)
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    qs = export.queryset(_user(request), form.cleaned_data)
    filename = f"{export.filename}-{timezone.localdate().isoformat()}"
    return spreadsheet_response(
        exports.export_rows(export, qs), [label for _p, label in export.columns], filename, fmt
    )
