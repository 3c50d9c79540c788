"""Refresh the English catalogue: extract the Chinese source strings, update, compile.

Source strings are Chinese; `admin/translations/en/LC_MESSAGES/messages.po` holds their English
translations. The compiled `.mo` is committed too, because `pip install -e .` compiles nothing.
Run `flask --app wsgi i18n update` (or `python -m admin.i18n_tools`) after adding strings, then
translate the entries it reports as missing and run it again to compile.
"""
from __future__ import annotations

import io
from contextlib import chdir, redirect_stdout
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "admin" / "translations"
MAPPING = ROOT / "babel.cfg"
SOURCE_PACKAGES = ("admin", "network", "org", "training", "evaluation", "promotion")
# gettext and ngettext are Babel's defaults; N_ marks domain labels, Msg domain error templates.
KEYWORDS = ("_", "gettext", "ngettext:1,2", "lazy_gettext", "lazy_ngettext:1,2", "N_", "Msg")
LOCALES = ("en",)
# Flask-Admin's own strings its zh catalogue lacks ("{} items"): domain "admin", see
# admin/views/__init__.py (Admin(translations_path=...)).
ADMIN_DOMAIN_LOCALES = ("zh_Hans_CN",)


def _pybabel(*args: str) -> str:
    """Run one `pybabel` command in this process; return what it printed."""
    out = io.StringIO()
    with redirect_stdout(out):
        CommandLineInterface().run(["pybabel", "-q", *args])
    return out.getvalue()


def pot_path() -> Path:
    return TRANSLATIONS / "messages.pot"


def po_path(locale: str = "en") -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def extract(pot: Path | None = None) -> Path:
    """Extract every marked string of the source packages into `pot` (default: messages.pot)."""
    pot = pot or pot_path()
    pot.parent.mkdir(parents=True, exist_ok=True)
    pot = pot.resolve()
    sources = [name for name in SOURCE_PACKAGES if (ROOT / name).is_dir()]
    keywords = [arg for kw in KEYWORDS for arg in ("-k", kw)]
    with chdir(ROOT):  # locations in the catalogue relative to the checkout
        _pybabel("extract", "-F", str(MAPPING), *keywords, "--add-location=file",
                 "--sort-by-file", "--project=mediation-portal",
                 "--copyright-holder=mediation-portal", "-o", str(pot), *sources)
    return pot


def update(pot: Path | None = None) -> None:
    """Merge `pot` into each locale's .po (creating it the first time), without fuzzy guesses.

    Fuzzy matching is off on purpose: a guessed translation of a similar string is usually wrong
    and is not compiled anyway, so a new string should simply show up as untranslated.
    """
    pot = pot or pot_path()
    for locale in LOCALES:
        if po_path(locale).exists():
            _pybabel("update", "-i", str(pot), "-d", str(TRANSLATIONS), "-l", locale,
                     "--no-fuzzy-matching", "--ignore-obsolete")
        else:
            _pybabel("init", "-i", str(pot), "-d", str(TRANSLATIONS), "-l", locale)


def compile_catalogs() -> None:
    for locale in LOCALES:
        _pybabel("compile", "-d", str(TRANSLATIONS), "-l", locale)
    for locale in ADMIN_DOMAIN_LOCALES:
        _pybabel("compile", "-D", "admin", "-d", str(TRANSLATIONS), "-l", locale)


def untranslated(locale: str = "en") -> list[str]:
    """msgids of the .po without a usable translation (empty or fuzzy)."""
    with po_path(locale).open("rb") as fh:
        catalog = read_po(fh)
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def refresh() -> list[str]:
    """Extract, update and compile; return the msgids still waiting for a translation."""
    update(extract())
    compile_catalogs()
    return untranslated()


def main() -> int:
    missing = refresh()
    for msgid in missing:
        print(f"untranslated: {msgid}")
    print(f"{len(missing)} untranslated message(s) in {po_path()}")
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
