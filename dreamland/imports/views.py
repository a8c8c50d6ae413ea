"""`/clients/import/`: upload a client list, see what each row would do, confirm, watch it run."""

from __future__ import annotations

import csv
import io

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseStopPolling

from dreamland.accounts.models import User
from dreamland.imports.forms import UploadForm
from dreamland.imports.jobs import import_job_confirm, import_job_create
from dreamland.imports.models import ImportJob
from dreamland.imports.reader import COLUMNS, ImportFileError
from dreamland.web.access import import_job_for, require_manager


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@login_required
@require_http_methods(["GET", "POST"])
def import_start(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require_manager(user)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = import_job_create(user=user, filename=upload.name or "", content=upload.read())
        except ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("import_job", pk=job.pk)
    recent = ImportJob.objects.defer("content", "preview", "rejected").order_by("-created_at")[:10]
    status = 400 if request.method == "POST" else 200
    return render(request, "imports/start.html", {"form": form, "recent": recent}, status=status)


@login_required
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = import_job_for(_user(request), pk)
    return render(request, "imports/job.html", {"job": job})


@login_required
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar's fragment, polled by htmx until the job is finished (286 stops it)."""
    job = import_job_for(_user(request), pk)
    response = render(request, "imports/job.html#progress", {"job": job})
    if job.finished:  # the fragment now shows the summary and the download; stop polling
        return HttpResponseStopPolling(response.content)
    return response


@login_required
@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    job = import_job_for(_user(request), pk)
    import_job_confirm(job=job)
    return redirect("import_job", pk=job.pk)


@login_required
def import_rejected(request: HttpRequest, pk: int) -> HttpResponse:
    """The rejected rows as written, with the reason: fix them and import this file again."""
    job = import_job_for(_user(request), pk)
    rows = job.rejected if job.finished else [r for r in job.preview if r["action"] == "reject"]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([*COLUMNS, _("row"), _("reason")])
    for row in rows:
        values = [_neutral(v) for v in row["values"]][: len(COLUMNS)]
        values += [""] * (len(COLUMNS) - len(values))
        writer.writerow([*values, row["number"], _neutral(row["reason"])])
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rejected-rows-{job.pk}.csv"'
    return response


def _neutral(value: object) -> str:
    """A cell a spreadsheet would run as a formula is kept as text."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
