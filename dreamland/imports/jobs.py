"""The UI's import jobs: upload → preview → confirm → a background run (`tasks`) with progress."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from dreamland.accounts.models import User
from dreamland.imports.models import ImportJob, JobStatus
from dreamland.imports.services import RowOutcome, import_preview
from dreamland.imports.tasks import import_job_run

PREVIEW_ROWS = 200
MAX_FILE_BYTES = 50 * 1024 * 1024


def import_job_create(*, user: User, filename: str, content: bytes) -> ImportJob:
    """Keep the upload and compute its preview (writes nothing but the job). Raises
    `ImportFileError` for a file that cannot be read as a client list."""
    report = import_preview(content=content, filename=filename, keep=PREVIEW_ROWS)
    return ImportJob.objects.create(
        created_by=user,
        filename=filename[:255],
        content=content,
        total_rows=report.rows,
        created_count=report.imported,
        matched_count=report.matched,
        rejected_count=len(report.rejected),
        preview=[outcome_json(o) for o in report.outcomes[: PREVIEW_ROWS * 5]],
    )


def outcome_json(o: RowOutcome) -> dict[str, object]:
    return {
        "number": o.number,
        "action": o.action,
        "name": o.name,
        "phone": o.phone,
        "reason": o.reason,
        "values": list(o.values),
    }


def import_job_confirm(*, job: ImportJob) -> ImportJob:
    """Queue the import (once: a second confirm of the same job does nothing)."""
    with transaction.atomic():
        updated = ImportJob.objects.filter(pk=job.pk, status=JobStatus.PREVIEW).update(
            status=JobStatus.QUEUED, processed_rows=0, updated_at=timezone.now()
        )
        if updated:
            transaction.on_commit(lambda: import_job_run.enqueue(job_id=job.pk))
    job.refresh_from_db()
    return job
