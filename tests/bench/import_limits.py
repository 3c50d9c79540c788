"""The largest legitimate import — a province's year of cases, 1,000,000 rows — through the
import limits with their default settings (issue 16, finding 2), as CSV and as XLSX.

    python -m tests.bench.import_limits --url postgresql://postgres@127.0.0.1:5432/bench \
        --rows 1000000 --folder /tmp/import_limits [--full]

The database must hold the bench's province (tests/bench/generate.py; the file's cases go to
its rooms and mediators). Writes `cases.csv` and `cases.xlsx` into --folder (kept, and reused
when they exist with the same number of rows), then, for each file in a process of its own (so
that the peak memory is that file's):
- the limits as the settings give them (an administrator may have changed them: printed), and
  the figures each limit looks at: file size, columns, cells (rows × columns), an XLSX's
  unpacked size and shared strings (from the zip directory, as `Limits.check_xlsx` reads it);
- the check (dry run) exactly as the upload page starts it: an import job row with
  `dry_run`, run by `admin.views.imports.run_job` — the background job's own function, which
  opens the file through the limits, checks every row and rolls back — timed, with the
  process's peak memory (`ru_maxrss`);
- with --full, the import of the CSV as the confirmed upload runs it (the same job function,
  not a dry run), then its cases deleted and the rollups rebuilt, leaving the ledger as it was.

The XLSX is written as Excel stores it (`_write_xlsx`): text in the shared strings, dates as
date cells, amounts as numbers. Not collected by pytest.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import itertools
import json
import os
import resource
import subprocess
import sys
import time
import zipfile
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

MB = 1024 * 1024


def write_files(url: str, rows: int, folder: Path) -> dict[str, Path]:
    from evaluation.imports import CASE_COLUMNS
    from network.db import open_database
    from network.tabular import cell_text

    from .generate import load_network
    from .run import import_rows

    folder.mkdir(parents=True, exist_ok=True)
    stamp = folder / "rows.txt"
    paths = {"csv": folder / "cases.csv", "xlsx": folder / "cases.xlsx"}
    if stamp.exists() and stamp.read_text() == str(rows) and all(p.exists() for p in paths.values()):
        return paths
    open_database(url)
    net = load_network()
    headers = list(CASE_COLUMNS)
    t = time.perf_counter()
    with open(paths["csv"], "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(headers)
        writer.writerows([cell_text(c) for c in row] for row in import_rows(net, rows))
    print(f"wrote {paths['csv']} in {time.perf_counter() - t:.0f} s", flush=True)
    t = time.perf_counter()
    _write_xlsx(paths["xlsx"], headers, import_rows(net, rows), rows)
    print(f"wrote {paths['xlsx']} in {time.perf_counter() - t:.0f} s", flush=True)
    stamp.write_text(str(rows))
    return paths


XLSX_PARTS = {
    "[Content_Types].xml":
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
        'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
        'worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/xl/'
        'sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.sharedStrings+xml"/></Types>',
    "_rels/.rels":
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml":
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="案件" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels":
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
        'Target="styles.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
        '</Relationships>',
    "xl/styles.xml":  # style 0 general, style 1 the built-in date format 14
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
        '<borders count="1"><border/></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        '</cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" '
        'borderId="0" xfId="0"/><xf numFmtId="14" fontId="0" fillId="0" borderId="0" '
        'xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>',
}
EXCEL_EPOCH = dt.date(1899, 12, 30)


def _write_xlsx(path: Path, headers: list[str], rows, count: int) -> None:
    """The sheet as Excel stores it: every text once in the shared strings (sharedStrings.xml,
    which the limits bound separately), cells referring to it by number, dates as serial
    numbers with a date style, amounts as numbers, and the sheet's size in its <dimension>
    (without it openpyxl's read-only reader parses the whole sheet once more each time it opens
    the file, to find out). openpyxl's own writer stores text inline, which Excel never does,
    so this writes the parts itself, streaming the sheet."""
    from openpyxl.utils import get_column_letter

    letters = [get_column_letter(i + 1) for i in range(len(headers))]
    strings: dict[str, int] = {}

    def cell(ref: str, value) -> str:
        if value is None or value == "":
            return ""
        if isinstance(value, dt.date):
            return f'<c r="{ref}" s="1"><v>{(value - EXCEL_EPOCH).days}</v></c>'
        if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            return f'<c r="{ref}"><v>{value}</v></c>'
        index = strings.setdefault(str(value), len(strings))
        return f'<c r="{ref}" t="s"><v>{index}</v></c>'

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in XLSX_PARTS.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as raw:
            out = io.TextIOWrapper(raw, encoding="utf-8")
            out.write('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns='
                      '"http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                      f'<dimension ref="A1:{letters[-1]}{count + 1}"/><sheetData>')
            for number, row in enumerate(itertools.chain([headers], rows), start=1):
                out.write(f'<row r="{number}">' + "".join(
                    cell(f"{letter}{number}", value) for letter, value in zip(letters, row, strict=True))
                    + "</row>")
            out.write("</sheetData></worksheet>")
            out.flush()
            out.detach()
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as raw:
            out = io.TextIOWrapper(raw, encoding="utf-8")
            out.write('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http:'
                      '//schemas.openxmlformats.org/spreadsheetml/2006/main" uniqueCount='
                      f'"{len(strings)}">')
            for text in strings:
                out.write(f"<si><t>{escape(text)}</t></si>")
            out.write("</sst>")
            out.flush()
            out.detach()


def file_figures(path: Path, columns: int, rows: int) -> dict:
    """What each limit looks at, read the way the limits read it."""
    figures = {"file MB": path.stat().st_size / MB, "columns": columns,
               "cells": rows * columns}
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
        figures["unpacked MB"] = sum(e.file_size for e in entries) / MB
        figures["shared strings MB"] = sum(
            e.file_size for e in entries if e.filename.lower().endswith("sharedstrings.xml")) / MB
    return figures


def run_check(url: str, path: Path, dry_run: bool) -> dict:
    """One job, as the upload page starts it, in this process; its outcome and costs."""
    from admin.app import create_app
    from admin.views.imports import run_job
    from network import jobs
    from network.db import db
    from network.limits import Limits
    from network.models import ImportJob

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "KEEP_DB_OPEN": True})
    work = path
    if not dry_run:  # the job deletes an imported file: give it a copy
        work = path.with_name(f"import-{path.name}")
        work.unlink(missing_ok=True)
        os.link(path, work)
    with app.app_context():
        if db.is_closed():
            db.connect()
        limits = Limits.current()
        job = jobs.create_job("cases", username="bench-import", scope=None,
                              filename=path.name, dry_run=dry_run)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        t = time.perf_counter()
        run_job(job.id, str(work))
        seconds = time.perf_counter() - t
        job = ImportJob.get_by_id(job.id)
        count, errors = jobs.stored_errors(job)
        return {"file": path.name, "dry run": dry_run, "status": job.status,
                "counts": job.counts, "errors": count, "first errors": errors[:5],
                "seconds": round(seconds, 1),
                "rows/s": round(job.counts.get("total", 0) / seconds),
                "peak memory MB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                "memory before MB": round(before),
                "limits": {"upload MB": limits.max_bytes // MB, "columns": limits.max_columns,
                           "cells": limits.max_cells, "unpacked MB": limits.max_expanded // MB,
                           "shared strings MB": limits.max_shared_strings // MB}}


def undo_import(url: str) -> float:
    """Leave the ledger as generated: the imported cases deleted, the rollups rebuilt."""
    from evaluation.models import Case
    from evaluation.rollups import rebuild
    from network.db import db, open_database

    open_database(url)
    t = time.perf_counter()
    with db.atomic():
        Case.delete().where(Case.case_no.startswith("IMP-")).execute()
    rebuild()
    return time.perf_counter() - t


def _child(args: list[str]) -> dict:
    out = subprocess.run([sys.executable, "-m", "tests.bench.import_limits", *args],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="a database holding the bench province")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/import_limits"))
    parser.add_argument("--formats", default="csv,xlsx", help="the files to check (none: \"\")")
    parser.add_argument("--full", action="store_true", help="also import the CSV for real")
    parser.add_argument("--child", choices=["check", "import"], help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_check(args.url, args.file, args.child == "check"),
                         ensure_ascii=False, default=str))
        return
    from evaluation.imports import CASE_COLUMNS

    paths = write_files(args.url, args.rows, args.folder)
    common = ["--url", args.url, "--rows", str(args.rows), "--folder", str(args.folder)]
    for fmt in filter(None, args.formats.split(",")):
        print(json.dumps(file_figures(paths[fmt], len(CASE_COLUMNS), args.rows)), flush=True)
        print(json.dumps(_child([*common, "--child", "check", "--file", str(paths[fmt])]),
                         ensure_ascii=False), flush=True)
    if args.full:
        print(json.dumps(_child([*common, "--child", "import", "--file", str(paths["csv"])]),
                         ensure_ascii=False), flush=True)
        print(json.dumps({"undo s": round(undo_import(args.url), 1)}), flush=True)


if __name__ == "__main__":
    main()
