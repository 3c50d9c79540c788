"""Where a `next=` may send the browser: only a path on this site.

Browsers forgive a lot in a Location header: they drop tabs and line breaks (`/\t/evil` becomes
`//evil`), read a backslash as a slash (`/\\evil`), and treat `//host` as another host. So the
target is refused unless it is printable, has no backslash, and parses as a bare path that
starts with exactly one slash. A line break in a header would also make Werkzeug answer 500.
"""
from __future__ import annotations

from urllib.parse import unquote, urlsplit

from flask import url_for


def is_safe_path(target: str | None) -> bool:
    if not target or not target.startswith("/") or len(target) > 2000:
        return False
    if "\\" in target or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return False
    second = unquote(target)[1:2]
    if second in ("/", "\\") or second.isspace():
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None, default: str | None = None) -> str:
    """`target` if it stays on this site, else `default` (the home page)."""
    if is_safe_path(target):
        return target
    return default or url_for("pages.home")
