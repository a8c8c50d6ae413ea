"""Background work for imports: a confirmed upload runs in the worker, not in the request."""

from __future__ import annotations

import logging

from django.conf import settings
from django.tasks import task
from django.utils import timezone, translation

from dreamland.imports.models import ImportJob, JobStatus
from dreamland.imports.reader import ImportFileError
from dreamland.imports.services import REJECT, ImportReport, RowOutcome, import_run

logger = logging.getLogger(__name__)


@task(queue_name="default")
def import_job_run(*, job_id: int) -> None:
    import_job_execute(job_id=job_id)


def _json(o: RowOutcome) -> dict[str, object]:
    return {"number": o.number, "reason": o.reason, "values": list(o.values)}


def import_job_execute(*, job_id: int) -> None:
    """Run a queued job (the task's body): progress after every chunk, the outcome at the end.

    Claimed with a conditional UPDATE, so two workers given the same job run it once.
    """
    claimed = ImportJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, updated_at=timezone.now()
    )
    if not claimed:
        return
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    # Reasons for rejected rows are read by the person who uploaded the file.
    with translation.override(job.created_by.preferred_language or settings.LANGUAGE_CODE):
        _execute(job)


def _execute(job: ImportJob) -> None:
    job_id = job.pk

    def progress(report: ImportReport) -> None:
        ImportJob.objects.filter(pk=job_id).update(
            processed_rows=report.rows,
            created_count=report.imported,
            matched_count=report.matched,
            rejected_count=len(report.rejected),
            updated_at=timezone.now(),
        )

    try:
        report = import_run(
            content=bytes(job.content or b""), filename=job.filename, progress=progress
        )
    except ImportFileError as exc:
        ImportJob.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED, error=str(exc), finished_at=timezone.now()
        )
        return
    except Exception as exc:
        logger.exception("import job %s failed", job_id)
        ImportJob.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    ImportJob.objects.filter(pk=job_id).update(
        status=JobStatus.DONE,
        total_rows=report.rows,
        processed_rows=report.rows,
        created_count=report.imported,
        matched_count=report.matched,
        rejected_count=len(report.rejected),
        rejected=[_json(o) for o in report.outcomes if o.action == REJECT],
        content=None,
        finished_at=timezone.now(),
    )
