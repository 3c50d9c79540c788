"""One check for every admin view: a scoped user aiming at a row outside their subtree.

The caller logs the user in and afterwards asserts that the row is unchanged in the database.
"""
from __future__ import annotations


def assert_outsider_refused(auth, endpoint: str, outsider_id: int, marker: str,
                            edit_data: dict | None = None,
                            lookups: list[tuple[str, str, str]] = ()) -> None:
    """`marker` is text that identifies the outsider (e.g. its 工号) in pages and exports;
    `lookups` are (ajax loader name, query, text that must not come back)."""
    client = auth.client
    base = f"/admin/{endpoint}/"
    for page in ("details", "edit"):
        response = client.get(f"{base}{page}/?id={outsider_id}", follow_redirects=True)
        assert response.status_code in (200, 403)
        assert marker not in response.get_data(as_text=True), page
    if edit_data is not None:
        response = auth.post(f"{base}edit/?id={outsider_id}", edit_data)
        assert response.status_code in (302, 403)
    response = auth.post(f"{base}delete/", {"id": str(outsider_id)})
    assert response.status_code in (302, 403)
    response = auth.post(f"{base}action/", {"action": "delete", "rowid": str(outsider_id)})
    assert response.status_code in (302, 403)
    for kind in ("csv", "xlsx"):
        response = client.get(f"{base}export/{kind}/")
        assert response.status_code == 200
        body = response.get_data()
        if kind == "csv":
            assert marker not in body.decode("utf-8-sig")
        else:
            assert marker not in xlsx_text(body)
    response = client.get(base)
    assert marker not in response.get_data(as_text=True)
    for name, query, unwanted in lookups:
        response = client.get(f"{base}ajax/lookup/?name={name}&query={query}")
        assert response.status_code == 200
        assert unwanted not in response.get_data(as_text=True)


def xlsx_text(content: bytes) -> str:
    """Every cell of an exported workbook, joined, to search for text."""
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content), read_only=True)
    cells = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            cells.extend("" if v is None else str(v) for v in row)
    book.close()
    return "\n".join(cells)
