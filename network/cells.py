"""Text bound for a spreadsheet cell, neutralised against formula injection.

A mediator's name, a case note or an org name typed as `=HYPERLINK(...)` or `@SUM(...)` would
run as a formula when a manager opens the XLSX/CSV export in Excel or WPS. OWASP's rule: a text
cell starting with = + - @, a tab or a carriage return gets a leading apostrophe, which Excel
shows as plain text. Every export (list views, XLSX pages, the statistical report, the audit
log) writes its cells through `safe_cell`, so the rule lives in one place. Numbers stay numbers,
and so does text that is a plain number ("-12.50" is a figure, not a formula).
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(TRIGGERS) \
            and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + str(value)
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in values]
