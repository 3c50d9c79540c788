"""The header row of a bureau's own spreadsheet, read as the import kind's columns.

Bureaus paste the sheets they keep: 「机构名称（必填）」 with a line break in the cell, 「名称」
where the template says 「机构名称」. Each header cell is normalised once per file and looked
up in a dictionary of the kind's columns and their aliases, so a 100k-row file pays for its
header row only. A header that matches nothing is named with the closest known one.
"""
from __future__ import annotations

import difflib
import re
import unicodedata

# A trailing 「（必填）」, 「(选填)」, 「【必填】」 or 「*」 is a hint for people, not part of the name.
_HINT = re.compile(r"(?:[(\[【](?:必填|选填|可选|非必填|可不填)[)\]】]|\*)$")


def normalise_header(text: str) -> str:
    """The header as compared: full-width forms folded (NFKC: （） → ()), every space and line
    break removed, trailing hints dropped."""
    text = "".join(unicodedata.normalize("NFKC", text or "").split())
    while True:
        shorter = _HINT.sub("", text)
        if shorter == text:
            return text
        text = shorter


def header_lookup(columns: list[str], aliases: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """normalised header or alias → the column it names (built once per import kind)."""
    lookup: dict[str, str] = {}
    for column in columns:
        for name in (column, *aliases.get(column, ())):
            key = normalise_header(name)
            if lookup.get(key, column) != column:
                raise ValueError(f"header alias {name!r} names two columns")
            lookup[key] = column
    return lookup


def closest_header(header: str, known: list[str]) -> str | None:
    """The known header (a column or an alias) most like `header`, if any is alike enough."""
    by_key = {normalise_header(name): name for name in known}
    found = difflib.get_close_matches(normalise_header(header), list(by_key), n=1,
                                      cutoff=0.4)
    return by_key[found[0]] if found else None
