"""The staff dashboard lists open quotes under one heading per currency (the tier
file's order: EUR, VND, IRR), so a rial quote never tops the list for its digits;
on the shipped VND and IRR demo accounts, in Persian too."""

from __future__ import annotations

import re

from tests.web.test_staff_money_whole_units import accounts  # noqa: F401 (fixture)


def headings(page: str) -> list[str]:
    return re.findall(r'<h3 id="quotes-([A-Z]{3})">', page)


def test_open_quotes_are_grouped_per_currency(client, auth, accounts):  # noqa: F811
    auth.signin("sales@shop.example", "password123")
    page = client.get("/staff/insights/").get_data(as_text=True)
    assert headings(page) == ["VND", "IRR"]
    vnd_table = page[page.index('id="quotes-VND"'):page.index('id="quotes-IRR"')]
    assert " VND" in vnd_table and " IRR" not in vnd_table
    persian = client.get("/staff/insights/", headers={"Accept-Language": "fa"})
    assert persian.status_code == 200
    assert headings(persian.get_data(as_text=True)) == ["VND", "IRR"]
