"""Every table on every page reads as a report: headers in words, no ``None``/``nan`` cells, no midnight times.

Each role opens every page it may (signed in through the app, on the demo data, a lead chosen where a page
shows one lead, an import in the history), and every table element is read as the person sees it.
"""

import re
import shutil

import pandas as pd
import pytest

from sales.access import Actor
from sales.ingest import import_file
from sales.store import Store
from sales.workbench import add_note, set_fact
from tests.conftest import ADMIN, ROOT

# (page, the action a role needs to open it): as app.py builds each role's navigation
PAGES = [("week", None), ("overview", None), ("priorities", None), ("funnel", None), ("budget", None),
         ("team", None), ("whatif", None), ("reference", None), ("profitability", "see_costs"),
         ("workbench", "work_lead"), ("upload", "import"), ("people", "manage_access"), ("audit", "manage_access")]
ROLES = {"viewer": "ana@viewers.example", "bizdev": "bo@agency.example", "admin": "boss@agency.example"}
SNAKE = re.compile(r"_|^[a-z]")  # an underscore, or a header starting in lower case
EMPTY_WORDS = {"None", "none", "nan", "NaN", "NaT", "<NA>", "null"}
SNAKE_WORD = re.compile(r"^[a-z]+(_[a-z]+)+$")  # a code such as next_steps where words belong
MIDNIGHT = re.compile(r"\d{4}-\d\d-\d\d[ T]00:00")  # a day shown with a midnight time


@pytest.fixture
def pipeline_db(tmp_path, demo_db):
    """The demo store (the team fixture's grants are added to it), with one CSV import in its history."""
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, path)
    with Store(path) as s:
        import_file(s, ADMIN, ROOT / "tests" / "fixtures" / "toggl.csv")
        lead = lead_to_show(s)
        add_note(s, ADMIN, lead, "next_steps", "Send the requirements")  # a log kind in words, not next_steps
        set_fact(s, ADMIN, lead, "responsive", True)  # a gate ticked by hand: an audit row with before and after
    return path


def problems_in(frame: pd.DataFrame, where: str) -> list[str]:
    found = [f"{where}: header {c!r}" for c in frame.columns if SNAKE.search(str(c))]
    for c in frame.columns:
        for v in frame[c].tolist():
            if v is None or (not isinstance(v, str) and pd.isna(v)):
                found.append(f"{where}: an empty {c!r} cell shows as {v!r}")
            elif isinstance(v, str) and (v.strip() in EMPTY_WORDS or MIDNIGHT.search(v) or SNAKE_WORD.match(v)):
                found.append(f"{where}: {c!r} shows {v!r}")
            elif isinstance(v, pd.Timestamp) and v == v.normalize():
                found.append(f"{where}: {c!r} is a midnight timestamp {v}")
    return found


def lead_to_show(s: Store) -> int:
    """The demo lead with the most assessments, so the lead pages draw every table."""
    return s.cursor().execute("""SELECT lead_id FROM assessments GROUP BY 1 ORDER BY count(*) DESC, 1
                                 LIMIT 1""").fetchall()[0][0]


@pytest.mark.parametrize("role", list(ROLES))
def test_every_table_reads_as_a_report(team, pipeline_db, role):
    with Store(pipeline_db) as s:
        lead = lead_to_show(s)
    who = Actor(ROLES[role], role)
    problems, seen, cells = [], 0, set()
    for page, action in PAGES:
        if action and not who.may(action):
            continue
        at = team({"email": ROLES[role], "email_verified": True})
        at.query_params["lead"] = str(lead)
        at.session_state["week_trust"] = True  # This week's past forecasts, drawn only when opened
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, (page, at.exception)
        for i, d in enumerate(at.dataframe):
            problems += problems_in(d.value, f"{role} {page} table {i}")
            seen += 1
            cells.update((page, c, v) for c in d.value.columns for v in d.value[c])
        for i, t in enumerate(at.table):
            problems += problems_in(t.value.reset_index(), f"{role} {page} static table {i}")
    assert not problems, "\n".join(problems)
    assert seen >= {"viewer": 15, "bizdev": 18, "admin": 25}[role]  # the walk reached the pages' tables
    if role != "viewer":  # the lead's log names the note's kind in words
        assert ("workbench", "Kind", "next steps") in cells
    if role == "admin":  # the audit trail: the gate ticked by hand, as field: before → after
        changes = {v for p, c, v in cells if (p, c) == ("audit", "Change")}
        assert "responsive: yes" in changes or any("→" in v for v in changes), sorted(changes)[:5]
