"""Import jobs: a confirmed import runs in the background and the page polls its progress.

The import itself is one long transaction, so its progress cannot travel through that
transaction (nobody else would see it before the commit) and on SQLite no other connection may
write while it runs. Progress is therefore kept twice: live in this process (`report`), and in
the job row, written at the start, at the end, and meanwhile through a side connection where
the backend allows a second writer (PostgreSQL).
"""
from __future__ import annotations

import json
import threading

import peewee as pw

from .db import db, is_postgres
from .errors import Msg
from .models import DONE, FAILED, PENDING, RUNNING, ImportJob, Organization, now

MAX_STORED_ERRORS = 1000


_live: dict[int, tuple[int, int]] = {}
_live_lock = threading.Lock()


def create_job(kind: str, *, username: str, scope: Organization | None, filename: str,
               dry_run: bool = False) -> ImportJob:
    with db.atomic():
        return ImportJob.create(kind=kind, username=username, filename=filename[:255],
                                scope_path=scope.path if scope is not None else "",
                                dry_run=dry_run)


def mark_running(job: ImportJob) -> None:
    with db.atomic():
        job.status = RUNNING
        job.save(only=[ImportJob.status])


def finish(job: ImportJob, *, ok: bool, counts: dict, errors: list[dict]) -> None:
    with db.atomic():
        job.status = DONE if ok else FAILED
        job.total = counts.get("total", job.total)
        job.done = job.total if ok else job.done
        job.summary = json.dumps(counts, ensure_ascii=False)
        job.errors = json.dumps({"count": len(errors), "items": errors[:MAX_STORED_ERRORS]},
                                ensure_ascii=False, default=str) if errors else ""
        job.finished_at = now()
        job.save()
    with _live_lock:
        _live.pop(job.id, None)


def stored_errors(job: ImportJob) -> tuple[int, list[dict]]:
    """(number of errors, the first MAX_STORED_ERRORS of them)."""
    if not job.errors:
        return 0, []
    data = json.loads(job.errors)
    return data["count"], data["items"]


def live_progress(job: ImportJob) -> tuple[int, int]:
    """(done, total) as far as anyone knows: this process's live figures, else the row's."""
    with _live_lock:
        live = _live.get(job.id)
    return live if live is not None and job.status == RUNNING else (job.done, job.total)


class ProgressReporter:
    """The `progress(done, total)` callback of a running job.

    Every call updates the live figures; about once per percent the figures also go to the job
    row through a connection of their own, outside the import's transaction (PostgreSQL only).
    """

    def __init__(self, job: ImportJob):
        self.job_id = job.id
        self.last = -1
        self.side: pw.Database | None = None
        if is_postgres():
            real = db.obj
            self.side = type(real)(real.database, **real.connect_params)

    def __call__(self, done: int, total: int) -> None:
        with _live_lock:
            _live[self.job_id] = (done, total)
        if self.side is None or (done - self.last < max(1, total // 100) and done != total):
            return
        self.last = done
        sql, params = (ImportJob.update(done=done, total=total)
                       .where(ImportJob.id == self.job_id).sql())
        self.side.execute_sql(sql, params)

    def close(self) -> None:
        if self.side is not None and not self.side.is_closed():
            self.side.close()


INTERRUPTED = Msg("服务重启，导入被中断，未导入任何数据，请重新上传")


def fail_interrupted() -> int:
    """Mark failed every job a stopped server left pending or running; the number marked.

    An import is one transaction, so a process that died mid-import wrote nothing (the
    database rolled it back); only its job row still says "running" and its page would poll
    forever. Run when the service starts, before any worker takes jobs (`flask jobs
    recover`, the systemd unit's ExecStartPre): a live job of another worker would be
    marked too.
    """
    error = json.dumps({"count": 1, "items": [{"row": 0, "column": "",
                                                "message": str(INTERRUPTED),
                                                **INTERRUPTED.to_dict()}]},
                       ensure_ascii=False)
    with db.atomic():
        return (ImportJob.update(status=FAILED, errors=error, finished_at=now())
                .where(ImportJob.status.in_([PENDING, RUNNING])).execute())
