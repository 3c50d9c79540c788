"""数据导入: upload a CSV/XLSX file, preview it, confirm, watch the progress.

The uploaded file waits in instance/uploads/ under a random name known only to the session
that uploaded it. Uploading starts a check (a dry run of the whole file, which keeps nothing);
the preview shows the first rows at once and the check's verdict when it is done. Confirming a
file that passed starts the import proper. Both are ImportJobs run by `run_job` in a background
thread with its own database connection (inline when IMPORT_SYNC is set, e.g. in tests: the
same function runs either way); the pages poll a JSON endpoint that only the job's owner may
read.
"""
from __future__ import annotations

import logging
import re
import secrets
import threading
import time
from itertools import islice
from pathlib import Path
from urllib.parse import quote

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    request,
    session,
    url_for,
)
from flask_admin import BaseView, expose
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from werkzeug.datastructures import CombinedMultiDict
from wtforms import FileField, HiddenField, SelectField

from network import jobs
from network.db import db
from network.errors import DomainError, FileProblem, Msg
from network.imports import (
    IMPORT_KINDS,
    ImportSpec,
    RowError,
    open_import_table,
    run_import,
    template_file,
)
from network.limits import MB, Limits
from network.models import DONE, FAILED, JOB_STATUSES, ImportJob
from org.models import ADMIN, MANAGER, TRAINER

from ..forms import CSRFForm, tr
from ..i18n import label
from .base import RoleAccess, as_pk, current_scope

log = logging.getLogger(__name__)

PREVIEW_ROWS = 20
SHOWN_ERRORS = 500
TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")
SESSION_KEY = "import_upload"
UPLOAD_MAX_AGE = 24 * 3600  # seconds an abandoned upload is kept


class UploadForm(CSRFForm):
    kind = SelectField(lazy_gettext("导入内容"),
                       choices=lambda: [(k, label(s.label)) for k, s in allowed_kinds().items()])
    file = FileField(lazy_gettext("文件（CSV 或 XLSX）"))


class TokenForm(CSRFForm):
    token = HiddenField()


def upload_dir() -> Path:
    folder = Path(current_app.instance_path) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def error_rows(errors: list[dict]) -> list[dict]:
    """Stored or fresh errors, translated for the page: 行号, 列, 原因."""
    return [{"row": e["row"], "column": label(e["column"]),
             "message": tr(Msg.from_dict(e))} for e in errors]


def run_job(job_id: int, path: str) -> None:
    """Run a check or an import and record its outcome.

    Runs in a thread of its own (its own connection) or inline; it opens a connection only
    when the calling thread has none, and closes only what it opened. The uploaded file is
    deleted after an import; a check leaves it for the import that may follow.
    """
    opened = db.is_closed()
    if opened:
        db.connect()
    reporter = None
    job = None
    try:
        job = ImportJob.get_by_id(job_id)
        jobs.mark_running(job)
        spec = IMPORT_KINDS[job.kind]
        reporter = jobs.ProgressReporter(job)
        try:
            result = run_import(spec, path, actor=job.username, scope=job.scope(),
                              filename=job.filename, progress=reporter, dry_run=job.dry_run)
        except Exception:
            log.exception("import job %s failed", job_id)
            failure = Msg("导入时发生内部错误，未导入任何数据")
            jobs.finish(job, ok=False, counts={}, errors=[
                RowError(0, "", failure).as_dict()])
        else:
            counts = result.counts()
            if result.mapped:  # what was read as something else, for the preview to name
                counts["mapped"] = [m.to_dict() for m in result.mapped]
            if result.warnings:  # what passed but deserves a look (a session on a holiday)
                counts["warnings"] = [w.as_dict() for w in result.warnings[:SHOWN_ERRORS]]
                counts["warning_count"] = len(result.warnings)
            jobs.finish(job, ok=result.ok, counts=counts,
                        errors=[e.as_dict() for e in result.errors])
    finally:
        if reporter is not None:
            reporter.close()
        if job is None or not job.dry_run:
            Path(path).unlink(missing_ok=True)
        if opened:
            db.close()


def start_job(job: ImportJob, path: Path) -> None:
    if current_app.config.get("IMPORT_SYNC"):
        run_job(job.id, str(path))
    else:
        threading.Thread(target=run_job, args=(job.id, str(path)), daemon=True,
                         name=f"import-job-{job.id}").start()


def sweep_uploads(folder: Path) -> None:
    """Delete uploads abandoned for a day (previewed, never confirmed nor cancelled)."""
    limit = time.time() - UPLOAD_MAX_AGE
    for item in folder.iterdir():
        if item.is_file() and item.stat().st_mtime < limit:
            item.unlink(missing_ok=True)


def allowed_kinds() -> dict[str, ImportSpec]:
    """The import kinds the logged-in account may upload: every kind for administrators and
    managers, the kinds naming their role for others (a coordinator: sessions, attendance)."""
    role = current_user.role
    return {key: spec for key, spec in IMPORT_KINDS.items()
            if role in (ADMIN, MANAGER) or role in spec.extra_roles}


class ImportView(RoleAccess, BaseView):
    roles = (ADMIN, MANAGER, TRAINER)


    # --- the pending upload of this session -------------------------------------------------
    def _pending(self) -> dict | None:
        upload = session.get(SESSION_KEY)
        if not upload or not TOKEN_RE.match(upload.get("token", "")):
            return None
        if upload.get("kind") not in allowed_kinds() or not self._path(upload).is_file():
            return None
        return upload

    def _path(self, upload: dict) -> Path:
        return upload_dir() / f"{upload['token']}{upload['ext']}"

    def _discard(self) -> None:
        upload = session.pop(SESSION_KEY, None)
        if upload and TOKEN_RE.match(upload.get("token", "")):
            self._path(upload).unlink(missing_ok=True)

    # --- pages ------------------------------------------------------------------------------
    @expose("/", methods=["GET", "POST"])
    def index(self):
        limits = Limits.current()
        # the upload page alone takes files as large as the import limit (the form's few
        # fields on top); every other request keeps MAX_CONTENT_LENGTH
        request.max_content_length = limits.max_bytes + MB
        form = UploadForm(CombinedMultiDict([request.files, request.form])
                          if request.method == "POST" else None)
        kinds = allowed_kinds()
        if request.method == "GET" and request.args.get("kind") in kinds:
            form.kind.data = request.args["kind"]
        error = None
        if request.method == "POST":
            if not form.validate():
                error = gettext("页面已过期，请重新提交") if form.csrf_token.errors else \
                    gettext("请选择导入内容")
            else:
                error = self._save_upload(form, limits)
                if error is None:
                    return redirect(url_for(".preview"))
        recent = (ImportJob.select()
                  .where((ImportJob.username == current_user.username)
                         & (ImportJob.dry_run == False))  # noqa: E712 (SQL)
                  .order_by(ImportJob.id.desc()).limit(10))
        return self.render("imports/index.html", form=form, error=error, kinds=kinds,
                           guides={key: spec.guide() for key, spec in kinds.items()},
                           recent=list(recent), statuses=JOB_STATUSES,
                           limit_mb=limits.max_bytes // MB)

    def _save_upload(self, form: UploadForm, limits: Limits) -> str | None:
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            return gettext("请选择要上传的文件")
        name = Path(upload.filename).name
        ext = Path(name).suffix.lower()
        if ext not in (".csv", ".xlsx"):
            return gettext("只支持 CSV（.csv）或 Excel（.xlsx）文件")
        self._discard()
        sweep_uploads(upload_dir())
        token = secrets.token_hex(16)
        record = {"token": token, "ext": ext, "kind": form.kind.data, "filename": name[:200]}
        path = self._path(record)
        upload.save(path)
        try:
            limits.check_size(path)
        except FileProblem as exc:
            path.unlink(missing_ok=True)
            return tr(exc.message)
        check = jobs.create_job(record["kind"], username=current_user.username,
                                scope=current_scope(), filename=record["filename"],
                                dry_run=True)
        record["check"] = check.id
        session[SESSION_KEY] = record
        start_job(check, path)
        return None

    @expose("/preview")
    def preview(self):
        upload = self._pending()
        if upload is None:
            flash(gettext("没有待导入的文件，请先上传"), "warning")
            return redirect(url_for(".index"))
        spec = IMPORT_KINDS[upload["kind"]]
        kind_label = label(spec.label)
        sample, mapped = [], []
        try:
            table, mapping = open_import_table(spec, self._path(upload), upload["filename"])
            if mapping.problem is None:
                sample = list(islice(table.rows(), PREVIEW_ROWS))
                mapped = mapping.renamed
        except FileProblem:
            pass  # the check reports it
        check = self._own_job(upload["check"])
        if "mapped" in check.counts:  # the check names the values it read as others too
            mapped = [Msg.from_dict(m) for m in check.counts["mapped"]]
        done, total = jobs.live_progress(check)
        count, stored = jobs.stored_errors(check)
        return self.render("imports/preview.html", upload=upload, kind_label=kind_label,
                           headers=spec.headers, sample=sample, check=check,
                           finished=check.status in (DONE, FAILED),
                           counts=check.counts, done=done, total=total,
                           errors=error_rows(stored[:SHOWN_ERRORS]), error_count=count,
                           mapped=[tr(m) for m in mapped],
                           warnings=error_rows(check.counts.get("warnings", [])),
                           warning_count=check.counts.get("warning_count", 0),
                           form=TokenForm(token=upload["token"]))

    @expose("/confirm", methods=["POST"])
    def confirm(self):
        form = TokenForm(request.form)
        upload = self._pending()
        if not form.validate() or upload is None or form.token.data != upload["token"]:
            flash(gettext("上传已失效，请重新上传文件"), "error")
            return redirect(url_for(".index"))
        check = self._own_job(upload["check"])
        if check.status != DONE:
            flash(gettext("文件尚未通过校验，不能导入"), "error")
            return redirect(url_for(".preview"))
        session.pop(SESSION_KEY, None)
        job = jobs.create_job(upload["kind"], username=current_user.username,
                              scope=current_scope(), filename=upload["filename"])
        start_job(job, self._path(upload))
        return redirect(url_for(".job", job_id=job.id))

    @expose("/cancel", methods=["POST"])
    def cancel(self):
        if TokenForm(request.form).validate():
            self._discard()
        return redirect(url_for(".index"))

    def _own_job(self, job_id: int) -> ImportJob:
        if as_pk(job_id) is None:  # beyond the integer range: the driver would raise
            abort(404)
        job = ImportJob.get_or_none(ImportJob.id == job_id)
        if job is None or job.username != current_user.username:
            abort(404)
        return job

    @expose("/job/<int:job_id>")
    def job(self, job_id: int):
        job = self._own_job(job_id)
        count, stored = jobs.stored_errors(job)
        done, total = jobs.live_progress(job)
        return self.render("imports/job.html", job=job, kind_label=label(IMPORT_KINDS[job.kind].label),
                           statuses=JOB_STATUSES, counts=job.counts, done=done,
                           total=total, errors=error_rows(stored), error_count=count)

    @expose("/job/<int:job_id>/status")
    def job_status(self, job_id: int):
        job = self._own_job(job_id)
        done, total = jobs.live_progress(job)
        count, _ = jobs.stored_errors(job)
        return jsonify({"id": job.id, "status": job.status, "done": done, "total": total,
                        "percent": round(100 * done / total) if total else 0,
                        "finished": job.status in (DONE, FAILED),
                        "counts": job.counts, "error_count": count})

    @expose("/template/<kind>.<fmt>")
    def template(self, kind: str, fmt: str):
        if kind not in allowed_kinds() or fmt not in ("csv", "xlsx"):
            abort(404)
        spec: ImportSpec = IMPORT_KINDS[kind]
        try:
            body = template_file(spec, fmt)
        except DomainError:
            abort(404)
        name = gettext("%(kind)s导入模板", kind=label(IMPORT_KINDS[kind].label)) + f".{fmt}"
        response = make_response(body)
        response.mimetype = ("text/csv" if fmt == "csv" else
                             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response.headers["Content-Disposition"] = (
            f"attachment; filename={kind}_template.{fmt}; filename*=UTF-8''{quote(name)}")
        return response
