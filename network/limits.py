"""How large an import file may be: the limits that keep one upload from taking the server down.

A hostile or broken file must be refused before it costs much: a CSV header of a million
columns, an XLSX whose shared strings expand to a gigabyte from a few kilobytes, a sheet of
more cells than any bureau keeps. The limits are settings (an administrator may raise them),
with defaults that let the largest legitimate file through: a province's year of cases, about
a million rows of 13 columns (120 MB as CSV, 63 MB as XLSX, 440 MB unpacked with 26 MB
of shared strings: tests/bench/import_limits.py).
"""
from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from .db import N_
from .errors import FileProblem, Msg
from .settings import Spec, get_settings, register

IMPORTS = N_("数据导入")
MB = 1024 * 1024

register({
    "import.max_upload_mb": Spec(
        300, int, N_("导入文件大小上限（MB）"), IMPORTS, 1, 4096,
        help=N_("上传或导入的文件超过此大小即拒绝。一个省一年的案件（约100万行）的 CSV 约 150 MB")),
    "import.max_columns": Spec(
        200, int, N_("导入文件列数上限"), IMPORTS, 20, 10000,
        help=N_("表头或任一行的列数超过此值即拒绝（各模板不超过20列）")),
    "import.max_cells": Spec(
        30_000_000, int, N_("导入文件单元格数上限"), IMPORTS, 1000, 1_000_000_000,
        help=N_("数据行数 × 列数超过此值即拒绝。100万行 × 13列 = 1300万")),
    "import.max_expanded_mb": Spec(
        2048, int, N_("Excel 文件解压后大小上限（MB）"), IMPORTS, 10, 65536,
        help=N_(".xlsx 是压缩包：解压后的总大小超过此值即拒绝，防止“压缩炸弹”")),
    "import.max_shared_strings_mb": Spec(
        256, int, N_("Excel 共享字符串大小上限（MB）"), IMPORTS, 1, 65536,
        help=N_("Excel 的共享字符串表读取时全部载入内存，解压后超过此值即拒绝")),
})


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 300 * MB
    max_columns: int = 200
    max_cells: int = 30_000_000
    max_expanded: int = 2048 * MB
    max_shared_strings: int = 256 * MB

    @classmethod
    def current(cls) -> Limits:
        """The limits as the administrator set them (defaults otherwise)."""
        s = get_settings(["import.max_upload_mb", "import.max_columns", "import.max_cells",
                          "import.max_expanded_mb", "import.max_shared_strings_mb"])
        return cls(max_bytes=s["import.max_upload_mb"] * MB,
                   max_columns=s["import.max_columns"], max_cells=s["import.max_cells"],
                   max_expanded=s["import.max_expanded_mb"] * MB,
                   max_shared_strings=s["import.max_shared_strings_mb"] * MB)

    def check_size(self, path: Path) -> None:
        size = path.stat().st_size
        if size > self.max_bytes:
            raise FileProblem(Msg("文件过大（%(size)d MB，上限 %(mb)d MB）",
                               size=-(-size // MB), mb=self.max_bytes // MB))

    def check_columns(self, count: int, row: int) -> None:
        if count > self.max_columns:
            raise FileProblem(Msg("第%(row)d行有%(count)d列，超过上限%(max)d列", row=row,
                               count=count, max=self.max_columns))

    def check_cells(self, rows: int, columns: int) -> None:
        if rows * columns > self.max_cells:
            raise FileProblem(Msg("文件单元格过多（已超过%(max)d个：%(rows)d行以上 × %(columns)d列）",
                               max=self.max_cells, rows=rows, columns=columns))

    def check_xlsx(self, path: Path) -> None:
        """Refuse an archive that would unpack too large, reading only its directory (the
        sizes it declares; zipfile checks them while reading, so they cannot lie)."""
        try:
            with zipfile.ZipFile(path) as archive:
                entries = archive.infolist()
        except (zipfile.BadZipFile, OSError):
            return  # openpyxl reports the broken archive in its own words
        total = sum(e.file_size for e in entries)
        if total > self.max_expanded:
            raise FileProblem(Msg("Excel 文件解压后过大（%(size)d MB，上限 %(mb)d MB）",
                               size=-(-total // MB), mb=self.max_expanded // MB))
        shared = sum(e.file_size for e in entries
                     if e.filename.lower().endswith("sharedstrings.xml"))
        if shared > self.max_shared_strings:
            raise FileProblem(Msg("Excel 文件的共享字符串过大（%(size)d MB，上限 %(mb)d MB）",
                               size=-(-shared // MB), mb=self.max_shared_strings // MB))
