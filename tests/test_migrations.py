"""Migrations that stand still: each schema version is the same text under any rubric, and a store made at
version 1 by a team whose rubric was tuned (a factor of its own, one of the handbook's dropped) migrates to
today's schema with its history, and is read under that rubric and under the handbook's."""

import duckdb
import pytest

from sales.rubric import default_rubric
from sales.rulebook import lead_state_sql
from sales.store import MIGRATIONS, SCHEMA_VERSION, connect, scalar
from tests.conftest import ROOT


@pytest.fixture
def tuned(tmp_path, monkeypatch):
    """The handbook rubric without Contract type, with Partnership (weight 1) in its place: still 0-28."""
    text = (ROOT / "data" / "rubric.toml").read_text(encoding="utf-8")
    text = text.replace('key = "contract_type"\nname = "Contract type"', 'key = "partnership"\nname = "Partnership"')
    path = tmp_path / "rubric.toml"
    path.write_text(text, encoding="utf-8")

    def use(rubric_file):
        if rubric_file:
            monkeypatch.setenv("SALES_RUBRIC", str(rubric_file))
        else:
            monkeypatch.delenv("SALES_RUBRIC", raising=False)
        default_rubric.cache_clear()

    yield lambda: use(path), lambda: use(None)
    default_rubric.cache_clear()


def test_every_version_is_the_same_text_under_any_rubric(tuned):
    use_tuned, use_handbook = tuned
    handbook = [step() for step in MIGRATIONS]
    use_tuned()
    assert [step() for step in MIGRATIONS] == handbook
    assert "partnership" not in " ".join(handbook[0]) and "contract_type TINYINT" in " ".join(handbook[0])


# what version 1 of the code created for assessments under the tuned rubric: its factors, in its order
TUNED_V1_ASSESSMENTS = """CREATE TABLE assessments (
    id INTEGER PRIMARY KEY DEFAULT nextval('assessment_seq'),
    lead_id INTEGER NOT NULL, assessed_at TIMESTAMP NOT NULL, assessed_by TEXT,
    rubric_version TEXT NOT NULL, batch_id INTEGER,
    people_profile TINYINT CHECK (people_profile BETWEEN 0 AND 2),
    need TINYINT CHECK (need BETWEEN 0 AND 2),
    budget TINYINT CHECK (budget BETWEEN 0 AND 2),
    partnership TINYINT CHECK (partnership BETWEEN 0 AND 2),
    prestige TINYINT CHECK (prestige BETWEEN 0 AND 2),
    market_niche TINYINT CHECK (market_niche BETWEEN 0 AND 2),
    internal_bias TINYINT CHECK (internal_bias BETWEEN 0 AND 2),
    people_profile_comment TEXT, need_comment TEXT, budget_comment TEXT, partnership_comment TEXT,
    prestige_comment TEXT, market_niche_comment TEXT, internal_bias_comment TEXT)"""


def _version_1_store(path) -> None:
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_info (version INTEGER NOT NULL); INSERT INTO schema_info VALUES (1)")
    for stmt in MIGRATIONS[0]():
        con.execute(TUNED_V1_ASSESSMENTS if stmt.startswith("CREATE TABLE assessments") else stmt)
    # one lead: asked, responsive; assessed at every level 2 but Partnership 1 (4+4+4+1+6+4+4 = 27 of 28)
    con.execute("INSERT INTO leads (id, source_system, name, status) VALUES (1, 'crm', 'Hedera', 'open')")
    con.execute("""INSERT INTO assessments (lead_id, assessed_at, rubric_version, people_profile, need, budget,
                   partnership, prestige, market_niche, internal_bias, partnership_comment)
                   VALUES (1, '2024-05-01', 'tuned', 2, 2, 2, 1, 2, 2, 2, 'A reseller agreement is likely')""")
    con.execute("INSERT INTO lead_facts (lead_id, fact, value, set_at) VALUES (1, 'inquiry_received', true, "
                "'2024-05-01'), (1, 'responsive', true, '2024-05-01')")
    con.execute("INSERT INTO lead_notes (lead_id, kind, body, written_by) VALUES (1, 'log', 'Called', 'ana')")
    con.execute("""INSERT INTO time_entries (source, person, work_date, hours, account, entry_key)
                   VALUES ('tempo', 'Ana', '2024-05-02', 1.5, 'Hedera', 7)""")
    con.close()


def _state(con) -> tuple:
    return con.execute(f"SELECT score, score_max, category, stage FROM ({lead_state_sql()})").fetchall()[0]


def test_a_version_1_store_of_a_tuned_rubric_migrates_with_its_history(tmp_path, tuned):
    use_tuned, use_handbook = tuned
    path = tmp_path / "v1.duckdb"
    _version_1_store(path)

    use_tuned()  # the team still scores with its own rubric
    con = connect(path)
    assert scalar(con, "SELECT version FROM schema_info") == SCHEMA_VERSION
    assert con.execute("SELECT kind, body FROM lead_activity").fetchall() == [("log", "Called")]
    assert con.execute("SELECT tool, person, hours FROM time_entries").fetchall() == [("tempo", "Ana", 1.5)]
    assert con.execute("SELECT partnership, partnership_comment FROM assessments").fetchall() == [
        (1, "A reseller agreement is likely")]
    assert _state(con) == (27, 27, "High", "assess_needs")  # High passes the scored gate; needs not documented
    con.close()

    use_handbook()  # back to the handbook: Contract type gets its columns, unknown for the old assessment
    con = connect(path)
    columns = [r[0] for r in con.execute("DESCRIBE assessments").fetchall()]
    assert {"contract_type", "contract_type_comment", "partnership"} <= set(columns)
    # the six factors the rubrics share: 4+4+4+6+4+4 = 26, Contract type unknown (at best 2 more)
    assert _state(con) == (26, 28, "High", "assess_needs")
    con.close()
    con = connect(path)  # opened again: nothing more to add
    assert [r[0] for r in con.execute("DESCRIBE assessments").fetchall()] == columns
    con.close()


def test_version_13_makes_the_logged_touches_contacts_and_leaves_notes_alone(tmp_path):
    """Before version 13 a touch was a log line ("Contacted", or "Contacted: " and a note); after it, a contact of
    channel 'other' with that note, and the log keeps every other line."""
    con = duckdb.connect(str(tmp_path / "v12.duckdb"))
    con.execute("CREATE TABLE schema_info (version INTEGER NOT NULL); INSERT INTO schema_info VALUES (12)")
    for step in MIGRATIONS[:12]:
        for stmt in step():
            con.execute(stmt)
    con.execute("INSERT INTO leads (id, source_system, name) VALUES (1, 'crm', 'Hedera')")
    con.execute("""INSERT INTO lead_activity (lead_id, kind, body, written_at, written_by) VALUES
                   (1, 'log', 'Assessed: 20 (High)', '2026-11-02 09:00', 'ana'),
                   (1, 'touch', 'Contacted', '2026-11-03 10:00', 'ana'),
                   (1, 'touch', 'Contacted: Called Jimmy, wants a demo', '2026-11-04 11:00', 'bo'),
                   (1, 'problem', 'Contacted: nobody', '2026-11-05 12:00', 'bo')""")
    con.close()
    con = connect(tmp_path / "v12.duckdb")
    assert scalar(con, "SELECT version FROM schema_info") == SCHEMA_VERSION
    assert con.execute("SELECT id, lead_id, channel, note, contacted_at::VARCHAR, logged_by FROM lead_contacts "
                       "ORDER BY id").fetchall() == [
        (1, 1, "other", None, "2026-11-03 10:00:00", "ana"),
        (2, 1, "other", "Called Jimmy, wants a demo", "2026-11-04 11:00:00", "bo")]
    assert con.execute("SELECT kind, body FROM lead_activity ORDER BY written_at").fetchall() == [
        ("log", "Assessed: 20 (High)"), ("problem", "Contacted: nobody")]
    assert con.execute("SELECT last_activity FROM leads").fetchall() == [(None,)]
    con.close()
