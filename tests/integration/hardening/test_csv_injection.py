"""Every CSV export neutralises cells a spreadsheet would run as formulas (OWASP CSV injection)."""

from __future__ import annotations

import csv
import io

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from advocacy.http.csv_cells import csv_line
from tests.factories import Factory

FORMULAS = ['=HYPERLINK("http://evil")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


@pytest.mark.parametrize("value", FORMULAS)
def test_a_cell_that_starts_a_formula_is_written_as_text(value: str) -> None:
    [cell] = next(csv.reader(io.StringIO(csv_line([value]))))
    assert cell == "'" + value


def test_numbers_and_plain_text_are_written_as_they_are() -> None:
    assert csv_line([-5, 1.5, "Inès", None, "a=b"]) == "-5,1.5,Inès,,a=b\r\n"


async def test_the_audit_export_does_not_let_a_display_name_run_as_a_formula(
    client: AsyncTestClient[Litestar], factory: Factory
) -> None:
    admin = await factory.person("admin", display_name='=HYPERLINK("http://evil","x")')
    created = await client.post(
        "/api/v1/people",
        json={"email": "new.person@example.com", "display_name": "@SUM(1+1)", "roles": ["employee"]},
        headers=admin.headers,
    )
    assert created.status_code == 201, created.text
    exported = await client.get(
        "/api/v1/compliance/audit/export", params={"format": "csv"}, headers=admin.headers
    )
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    names = {r["actor_name"] for r in rows}
    assert '\'=HYPERLINK("http://evil","x")' in names
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r.values())
