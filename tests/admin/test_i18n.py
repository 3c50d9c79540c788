"""The English catalogue is complete and compiled, and the language switch really switches.

Source strings are Chinese; a string someone adds without translating it fails
`test_every_source_string_has_an_english_translation` until `flask --app wsgi i18n update` is run
and the new entries of admin/translations/en/LC_MESSAGES/messages.po are translated.
"""
from __future__ import annotations

import re

import pytest
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from admin import i18n_tools

PLACEHOLDER = re.compile(r"%\(\w+\)[sdf]")


def _msgid(message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


@pytest.fixture(scope="module")
def committed_po():
    with i18n_tools.po_path("en").open("rb") as fh:
        return read_po(fh, locale="en")


@pytest.fixture(scope="module")
def extracted_pot(tmp_path_factory):
    """The catalogue template extracted from the sources as they are now (not the committed one)."""
    pot = i18n_tools.extract(tmp_path_factory.mktemp("i18n") / "messages.pot")
    with pot.open("rb") as fh:
        return read_po(fh)


def test_extraction_finds_templates_labels_and_domain_errors(extracted_pot):
    ids = {_msgid(m) for m in extracted_pot if m.id}
    assert "用户名" in ids  # lazy_gettext in admin/auth.py
    assert "登录" in ids  # _() in a jinja template
    assert "调解工作站" in ids  # N_() domain label in network/models.py
    assert "机构编码「%(code)s」已存在" in ids  # Msg() domain error in network/services.py


def test_every_source_string_has_an_english_translation(extracted_pot, committed_po):
    missing = []
    for message in extracted_pot:
        if not message.id:
            continue
        entry = committed_po.get(message.id)
        strings = () if entry is None else (
            entry.string if isinstance(entry.string, tuple) else (entry.string,))
        if entry is None or entry.fuzzy or not strings or not all(strings):
            missing.append(_msgid(message))
    assert not missing, ("untranslated (run `flask --app wsgi i18n update`, translate, run it "
                         f"again): {missing}")


def test_translations_keep_the_placeholders(committed_po):
    """A lost or misspelt %(name)s would raise KeyError when the page is rendered in English."""
    wrong = [_msgid(m) for m in committed_po if m.id and m.string and not isinstance(m.id, tuple)
             and sorted(PLACEHOLDER.findall(m.id)) != sorted(PLACEHOLDER.findall(m.string))]
    assert not wrong


def test_translations_are_english(committed_po):
    """No translation is a copy of the Chinese source (names in parentheses may stay Chinese)."""
    copied = [_msgid(m) for m in committed_po
              if m.id and isinstance(m.string, str) and re.search(r"[\u4e00-\u9fff]", m.string)
              and not re.search(r"[A-Za-z]{3}", m.string)]
    assert not copied


def test_committed_mo_matches_the_po(committed_po, tmp_path):
    compiled = tmp_path / "messages.mo"
    with compiled.open("wb") as fh:
        write_mo(fh, committed_po)
    committed_mo = i18n_tools.po_path("en").with_suffix(".mo")

    def messages(path):
        with path.open("rb") as fh:
            return {m.id: m.string for m in read_mo(fh) if m.id}

    fresh, shipped = messages(compiled), messages(committed_mo)
    assert fresh == shipped, "messages.mo is stale: run `flask --app wsgi i18n update`"
    assert shipped["用户名"] == "Username"


def test_login_page_switches_to_english_and_back(client):
    page = client.get("/login").get_data(as_text=True)
    assert "用户名" in page and "Password" not in page

    assert client.get("/lang/en?next=/login").headers["Location"] == "/login"
    page = client.get("/login").get_data(as_text=True)
    assert "Username" in page and "Password" in page and "Log in" in page
    assert "用户名" not in page and "密码" not in page

    client.get("/lang/zh_Hans_CN")
    page = client.get("/login").get_data(as_text=True)
    assert "用户名" in page and "Username" not in page


def test_unknown_language_is_ignored(client):
    client.get("/lang/xx")
    assert "用户名" in client.get("/login").get_data(as_text=True)


def test_home_page_and_flask_admin_strings_switch(auth, client, network, make_user):
    make_user("boss", role="admin")
    auth.login("boss")
    home = client.get("/admin/").get_data(as_text=True)
    assert "管辖范围" in home and "在岗调解员" in home

    client.get("/lang/en")
    home = client.get("/admin/").get_data(as_text=True)
    assert "Jurisdiction" in home and "Mediators on duty" in home and "Log out" in home
    # the level and the kind are parts of one sentence, not two labels run together
    assert "City organisations" in home and "On duty: Full-time" in home
    assert "CityOrganisations" not in home and "On dutyFull-time" not in home
    assert "管辖范围" not in home and "在岗调解员" not in home
    # Flask-Admin's own catalogue follows the same locale: its list page says "List", not 列表.
    stations = client.get("/admin/stations/").get_data(as_text=True)
    assert "Organisation code" in stations and ">List" in stations
    assert "列表" not in stations

    client.get("/lang/zh_Hans_CN")
    stations = client.get("/admin/stations/").get_data(as_text=True)
    assert "机构编码" in stations and "列表" in stations and "Organisation code" not in stations


def test_admin_pages_say_their_language_in_the_html_tag(auth, client, network, make_user):
    """Flask-Admin's base template has a bare <html>: the portal's pages still say zh-CN or en
    (screen readers, the browser's translate offer)."""
    make_user("boss", role="admin")
    auth.login("boss")
    for url in ("/admin/", "/admin/stations/", "/admin/dashboard/"):
        assert '<html lang="zh-CN">' in client.get(url).get_data(as_text=True), url
    client.get("/lang/en")
    for url in ("/admin/", "/admin/stations/", "/admin/dashboard/"):
        assert '<html lang="en">' in client.get(url).get_data(as_text=True), url


def test_language_choice_is_remembered_on_the_account(auth, client, network, make_user, app):
    from org.models import User

    make_user("boss", role="admin")
    auth.login("boss")
    client.get("/lang/en")
    assert User.get(User.username == "boss").locale == "en"

    other = app.test_client()  # a new session: no language in it, the account's choice applies
    from tests.conftest import Auth

    Auth(other).login("boss")
    assert "Jurisdiction" in other.get("/admin/").get_data(as_text=True)


def test_i18n_update_command_reports_a_missing_translation(app, monkeypatch, tmp_path):
    """`flask i18n update` on a copy of the catalogue whose translation of 用户名 was erased:
    it lists 用户名, exits 1, and the compiled .mo falls back to the Chinese source for it."""
    import shutil

    from babel.messages.pofile import write_po

    copy = tmp_path / "translations"
    shutil.copytree(i18n_tools.TRANSLATIONS, copy)
    monkeypatch.setattr(i18n_tools, "TRANSLATIONS", copy)
    with i18n_tools.po_path().open("rb") as fh:
        catalog = read_po(fh, locale="en")
    catalog["用户名"].string = ""
    with i18n_tools.po_path().open("wb") as fh:
        write_po(fh, catalog)

    result = app.test_cli_runner().invoke(args=["i18n", "update"])

    assert result.exit_code == 1
    assert "untranslated: 用户名" in result.output
    with (copy / "en" / "LC_MESSAGES" / "messages.mo").open("rb") as fh:
        compiled = {m.id: m.string for m in read_mo(fh) if m.id}
    assert "用户名" not in compiled and compiled["密码"] == "Password"
    assert (copy / "messages.pot").stat().st_size > 0


def test_a_form_that_did_not_validate_says_so_in_the_page_language(auth, client, network,
                                                                   make_user):
    """Flask-Admin flashes "Failed to create record." after a form with field errors; its
    shipped Chinese catalogue lacks the string (admin/translations/zh_Hans_CN/…/admin.po)."""
    make_user("boss", role="admin")
    auth.login("boss")
    page = auth.post("/admin/training/courses/new/", {"name": "", "kind": ""},
                     follow_redirects=True).get_data(as_text=True)
    assert "创建记录失败。" in page and "Failed to create record." not in page
    client.get("/lang/en")
    page = auth.post("/admin/training/courses/new/", {"name": "", "kind": ""},
                     follow_redirects=True).get_data(as_text=True)
    assert "Failed to create record." in page
