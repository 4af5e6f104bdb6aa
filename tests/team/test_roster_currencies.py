"""A person's currency is read as every other currency is (sales.money.iso_currency: ISO 4217 codes in any case,
signs that name one currency), and anything else is refused by line and column: through
``python -m sales import``, then the store."""

import pytest

from sales.store import Store
from sales.team import edits
from sales.team.roster import RosterError
from tests.cli_runner import cli_fixture  # noqa: F401 (the cli fixture)
from tests.conftest import ADMIN, ROOT

FILE = ROOT / "tests" / "fixtures" / "people_currencies.csv"
REFUSED = "names no currency we can tell (an ISO 4217 code such as USD or EUR, or €, £, US$)"

# line  name  currency  read as
# 2     Ana   eur       EUR (a code in lower case)
# 3     Ben   €         EUR (the euro sign)
# 4     Cy    XYZ       refused: three letters, but no ISO 4217 currency
# 5     Di    US$       USD
# 6     Ed    $         refused: US, Canadian, Australian…? a people file does not say
# 7     Fa    £         GBP
# 8     Gu    ABC       refused, as XYZ


def test_currencies_read_as_everywhere_and_unknown_ones_refused(cli, tmp_path):
    db = tmp_path / "s.duckdb"
    r = cli("import", str(FILE), "--db", str(db))
    assert r.returncode == 0, r.stderr
    out = r.stdout.splitlines()
    assert out[0].startswith("people_currencies.csv: canonical-people → batch ")
    assert ": 7 records = 4 imported, 0 duplicates, 3 rejected, " in out[0]
    assert [line for line in out if line.startswith("  line ")] == [
        f"  line 4, column 'currency': 'XYZ' {REFUSED}",
        f"  line 6, column 'currency': '$' {REFUSED}",
        f"  line 8, column 'currency': 'ABC' {REFUSED}"]
    with Store(db) as s, s.cursor() as cur:
        assert cur.execute("SELECT name, cost_rate, currency FROM people ORDER BY name").fetchall() == [
            ("Ana", 50.0, "EUR"), ("Ben", 45.0, "EUR"), ("Di", 60.0, "USD"), ("Fa", 30.0, "GBP")]


def test_a_change_by_hand_reads_currencies_alike(tmp_path):
    with Store(tmp_path / "s.duckdb") as s:
        row = {"name": "Ana", "weekly_capacity_hours": 40, "cost_rate": 50}
        edits.save_person(s, ADMIN, {**row, "currency": "€"})
        with s.cursor() as cur:
            assert cur.execute("SELECT currency FROM people").fetchall() == [("EUR",)]
        with pytest.raises(RosterError, match=f"currency: 'XYZ' {REFUSED[:20]}"):
            edits.save_person(s, ADMIN, {**row, "currency": "XYZ"})
