"""The case list at a province's scale (issue 17): the total without counting the ledger,
paging by key under the default order, search through indexes, a fixed number of statements
per page. Timings are in tests/bench; these check that the answers stay right."""
from __future__ import annotations

import datetime as dt
import logging
import re

import pytest

from network.db import is_postgres

D = dt.date


class Statements(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.sql: list[str] = []

    def emit(self, record):
        self.sql.append(str(record.msg))


def statements(fn) -> list[str]:
    logger = logging.getLogger("peewee")
    handler, level = Statements(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        fn()
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    return handler.sql


@pytest.fixture
def shelf(network, make_mediator, make_case, make_user, monkeypatch):
    """Six cases of QD-02 (room1, room2) and one of QD-11; two on the same day (ties are
    broken by id, newest id first).

    case_no     station   mediator  受理
    QD-A-001    room1     李四      2024-03-05
    QD-A-002    room1     李四      2024-03-05
    QD-A-003    room2     赵六      2024-03-04
    QD-B-004    room2     赵六      2024-02-01
    X[1]-005    room1     李四      2024-01-15
    Z%_-006     room2     赵六      2023-12-31
    HD-007      room3     王五      2024-03-06   (outside QD-02)
    """
    li = make_mediator(network["room1"], staff_no="S0201", name="李四")
    zhao = make_mediator(network["room2"], staff_no="S0202", name="赵六")
    wang = make_mediator(network["room3"], staff_no="H1101", name="王五")
    rows = [("QD-A-001", "room1", li, D(2024, 3, 5)), ("QD-A-002", "room1", li, D(2024, 3, 5)),
            ("QD-A-003", "room2", zhao, D(2024, 3, 4)), ("QD-B-004", "room2", zhao, D(2024, 2, 1)),
            ("X[1]-005", "room1", li, D(2024, 1, 15)), ("Z%_-006", "room2", zhao, D(2023, 12, 31)),
            ("HD-007", "room3", wang, D(2024, 3, 6))]
    for case_no, room, mediator, received in rows:
        make_case(network[room], mediator, received, case_no=case_no)
    make_user("root", role="admin")
    make_user("m02", role="manager", organization=network["shinan"])
    from admin.evaluation.cases import CaseView

    monkeypatch.setattr(CaseView, "page_size_options", (2, 3, 20, 50, 100))
    return network


def listed(page: str) -> list[str]:
    """案件编号 in the order the page lists them."""
    return re.findall(r'/admin/cases/details/\?id=\d+[^"]*">([^<]+)</a>', page)


def html(auth, url) -> str:
    response = auth.client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True).replace("&amp;", "&")


def test_default_order_pages_by_key(shelf, auth):
    auth.login("m02")
    first = html(auth, "/admin/cases/?page_size=2")
    assert listed(first) == ["QD-A-002", "QD-A-001"]
    following = re.search(r'id="pager-next" href="([^"]+)"', first).group(1)
    assert "after=2024-03-05." in following
    second = html(auth, following)
    assert listed(second) == ["QD-A-003", "QD-B-004"]
    third = html(auth, re.search(r'id="pager-next" href="([^"]+)"', second).group(1))
    assert listed(third) == ["X[1]-005", "Z%_-006"]
    # a full last page may offer one more, which is empty; nothing is listed twice
    last = re.search(r'id="pager-next" href="([^"]+)"', third).group(1)
    assert listed(html(auth, last)) == []


def test_key_typed_into_the_url(shelf, auth):
    auth.login("m02")
    # a key names a position, not a row: the rows before it, in the user's scope only
    assert listed(html(auth, "/admin/cases/?after=2024-03-07.999999")) == [
        "QD-A-002", "QD-A-001", "QD-A-003", "QD-B-004", "X[1]-005", "Z%_-006"]
    for bad in ("x", "2024-13-01.5", "2024-03-05", "2024-03-05.-1", "2024-03-05.99999999999999999999"):
        page = html(auth, f"/admin/cases/?after={bad}")
        assert len(listed(page)) == 6, bad  # ignored: the first page


def test_other_orders_keep_numbered_pages(shelf, auth):
    auth.login("root")
    page = html(auth, "/admin/cases/?sort=0&page_size=3&page=1")  # by 案件编号, ascending
    # HD-007, QD-A-001, QD-A-002 | QD-A-003, QD-B-004, X[1]-005 | Z%_-006
    assert listed(page) == ["QD-A-003", "QD-B-004", "X[1]-005"]


def test_total_of_the_scope_without_counting(shelf, auth):
    auth.login("m02")
    sql = statements(lambda: html(auth, "/admin/cases/"))
    assert not any(re.search(r"COUNT\(", s, re.I) for s in sql), sql
    assert "(6)" in html(auth, "/admin/cases/")


def test_total_of_everything(shelf, auth):
    auth.login("root")
    assert "(7)" in html(auth, "/admin/cases/")


def test_total_above_the_bound_is_an_estimate_with_exact_on_request(shelf, auth, monkeypatch):
    from admin.views import totals

    monkeypatch.setattr(totals, "EXACT_UP_TO", 2)
    auth.login("m02")
    page = html(auth, "/admin/cases/?search=QD")  # 4 matches
    if is_postgres():
        assert re.search(r"\(约 \d+ 件\)", page)
    else:
        assert "(超过 2 件)" in page
    exact = re.search(r'id="exact-count" href="([^"]+)"', page).group(1)
    assert "(4)" in html(auth, exact)
    page = html(auth, "/admin/cases/?search=QD-A-00")  # 3 matches: still above 2
    assert "exact-count" in page
    assert "(1)" in html(auth, "/admin/cases/?search=QD-B")
    assert "exact-count" not in html(auth, "/admin/cases/?search=QD-B")


def test_total_label():
    from admin.views.totals import AT_LEAST, ESTIMATE, Total

    assert str(Total(1234)) == "1,234"
    assert str(Total(10_240_000, ESTIMATE)) == "约 1,024 万件"
    assert str(Total(5_000, ESTIMATE)) == "约 5,000 件"
    assert str(Total(10_001, AT_LEAST)) == "超过 10,000 件"
    assert Total(10_240_000, ESTIMATE) == 10_240_000  # Flask-Admin's pager divides it


@pytest.mark.parametrize("term, expected", [
    ("QD-A", {"QD-A-001", "QD-A-002", "QD-A-003"}),     # 案件编号 prefix
    ("赵六", {"QD-A-003", "QD-B-004", "Z%_-006"}),        # mediator name
    ("中山路", {"QD-A-001", "QD-A-002", "X[1]-005"}),     # station name prefix
    ("QD-A 赵", {"QD-A-003"}),                           # every term must match
    ("X[1]", {"X[1]-005"}),                              # wildcards taken literally
    ("X[", {"X[1]-005"}),
    ("Z%_", {"Z%_-006"}),
    ("Z%", {"Z%_-006"}),
    ("%", set()),
    ("_", set()),
    ("*", set()),
    ("qd-a", set()),                                     # case-sensitive on both backends
    ("HD", set()),                                       # outside the manager's scope
])
def test_search(shelf, auth, term, expected):
    auth.login("m02")
    assert set(listed(html(auth, f"/admin/cases/?search={term}"))) == expected


def test_search_inside_a_number_finds_nothing(shelf, auth):
    """`A-00` is inside 案件编号 but begins none: the search is by prefix on both backends
    (the trigram index that found it on PostgreSQL went in migration 022)."""
    auth.login("m02")
    assert set(listed(html(auth, "/admin/cases/?search=A-00"))) == set()
    assert set(listed(html(auth, "/admin/cases/?search=[1]"))) == set()


def test_statements_per_page_are_fixed(shelf, auth, make_case):
    """A list page of the admin: the user (flask-login), the rollups' total, the page (cases
    joined with their stations and mediators). The same at 2 and 100 rows, by key or not."""
    auth.login("root")
    counts = {url: len(statements(lambda url=url: html(auth, url)))
              for url in ("/admin/cases/?page_size=2", "/admin/cases/?page_size=100",
                          "/admin/cases/?page_size=2&after=2024-03-05.2")}
    assert set(counts.values()) == {3}, counts
    # a search adds one bounded count
    assert len(statements(lambda: html(auth, "/admin/cases/?search=QD"))) == 3


def test_search_in_export_and_scope(shelf, auth):
    from tests.admin.scope_checks import xlsx_text

    auth.login("m02")
    response = auth.client.get("/admin/cases/export/xlsx/?search=QD")
    assert response.status_code == 200
    text = xlsx_text(response.data)
    assert "QD-A-001" in text and "QD-B-004" in text and "HD-007" not in text
