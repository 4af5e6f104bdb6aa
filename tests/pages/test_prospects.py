"""What-if scoring, the lead workbench and uploads, driven through AppTest on hand-made stores."""

import re
from pathlib import Path

import pytest

from sales.ingest import import_file
from sales.store import Store, scalar
from sales.workbench import history
from tests.conftest import ADMIN, ROOT
from tests.pages.conftest import open_page

FIX = ROOT / "tests" / "fixtures"


@pytest.fixture
def db(pipeline_db):
    return pipeline_db


def metrics(at) -> dict:
    return {m.label: m.value for m in at.metric}


# The handbook's examples: setting the sliders to their levels shows the table's total and category.
@pytest.mark.parametrize("levels, score, category", [
    (dict(people_profile=1, need=1, budget=2, contract_type=2, prestige=2, market_niche=2, internal_bias=2),
     "24 / 28", "High"),                                                         # Hedera University
    (dict(people_profile=2, need=1, budget=1, contract_type=1, prestige=1, market_niche=0, internal_bias=1),
     "14 / 28", "Medium"),                                                       # Affogato (handbook says 18)
    (dict(people_profile=0, need="unknown", budget=0, contract_type=0, prestige=0, market_niche=0,
          internal_bias=2), "4 / 28", "Low"),                                     # Ms. Brown (handbook says 2)
])
def test_sliders_show_the_rubric_table_result(monkeypatch, db, levels, score, category):
    at = open_page(monkeypatch, db, "whatif")
    assert metrics(at)["Score"] == "0 / 28" and metrics(at)["Best case"] == "28"  # blank start: all unknown
    for key, value in levels.items():
        at.select_slider(key=f"wf_{key}").set_value(value)
    at.run()
    assert (metrics(at)["Score"], metrics(at)["Category"]) == (score, category)


def test_what_it_would_take_and_contribution_chart(monkeypatch, db):
    at = open_page(monkeypatch, db, "whatif")
    for key, value in dict(people_profile=2, need=1, budget=1, contract_type=1, prestige=1, market_niche=0,
                           internal_bias=1).items():
        at.select_slider(key=f"wf_{key}").set_value(value)
    at.run()
    text = " ".join(m.value for m in at.markdown)
    assert "What it would take to reach High" in text and "3 level raises, to 21" in text
    assert "Prestige: 1 → 2 (+3)" in text
    assert len(at.get("vega_lite_chart")) == 1


def test_start_from_a_lead_and_save_a_new_assessment(monkeypatch, db):
    at = open_page(monkeypatch, db, "whatif", lead="2")
    assert at.select_slider(key="wf_prestige").value == 2
    assert at.select_slider(key="wf_market_niche").value == "unknown"
    assert metrics(at)["Score"] == "14 / 28" and "could still make this **High**" in at.info[0].value
    at.select_slider(key="wf_market_niche").set_value(2)
    at.text_input(key="wfc_market_niche").set_value("Big integration project")
    assert "Saved under your name: local." in " ".join(c.value for c in at.caption)
    at.button[0].click().run()
    assert "Saved: 18 (Medium)" in at.success[0].value
    with Store(db) as s:
        cur = s.cursor()
        assert scalar(cur, "SELECT count(*) FROM assessments WHERE lead_id = 2") == 2
        assert scalar(cur, "SELECT assessed_by FROM assessments WHERE lead_id = 2 "
                           "ORDER BY assessed_at DESC LIMIT 1") == "local"  # local mode: the one local admin
        assert scalar(cur, "SELECT market_niche_comment FROM assessments WHERE lead_id = 2 "
                           "ORDER BY assessed_at DESC LIMIT 1") == "Big integration project"


def test_compare_two_leads(monkeypatch, db):
    at = open_page(monkeypatch, db, "whatif")
    at.selectbox(key="cmp_a_select").set_value(1)
    at.selectbox(key="cmp_b_select").set_value(2)
    at.run()
    table = at.dataframe[0].value.set_index("Factor")
    assert table.loc["Score"].tolist() == ["28", "14–28"]


def test_workbench_tick_moves_the_lead(monkeypatch, db):
    at = open_page(monkeypatch, db, "workbench", lead="2")
    assert metrics(at)["Stage (by its gates)"] == "Assess Needs"
    at.checkbox(key="gate_2_needs_documented").check().run()
    assert not at.exception
    assert "moved to **blueprint**" in at.success[0].value
    assert metrics(at)["Stage (by its gates)"] == "Blueprint"
    with Store(db) as s:
        log = history(s.cursor(), 2)
    assert log["by"].tolist()[:2] == ["local", "local"]
    assert log["body"].tolist()[0] == "Stage: Assess Needs → Blueprint"


def test_workbench_notes_agenda_followup_and_small_project(monkeypatch, db):
    at = open_page(monkeypatch, db, "workbench", lead="1")
    at.text_area(key="prep_1_problem").set_value("Their platform cannot scale")
    at.button(key="FormSubmitter:prep_1-Save notes").click().run()
    assert "Saved 1 note(s)." in [s.value for s in at.success]
    at.text_area(key="steps_1").set_value("Send requirements\nBook discovery").run()
    draft = at.code[0].value
    assert "- What you want to solve: Their platform cannot scale" in draft
    assert "- Book discovery" in draft and "no upfront charge" in draft
    at.checkbox(key="agenda_1_2").check().run()
    assert not at.exception
    at.button(key="sp_create").click().run()
    assert "Recorded: discovery capped at 5 h." in [s.value for s in at.success]
    with Store(db) as s:
        cur = s.cursor()
        assert cur.execute("SELECT kind, fixed_total_hours, lead_id FROM budgets").fetchall() == [("discovery", 5.0,
                                                                                                   1)]
        assert "Ask which problem they want to solve" in history(cur, 1)["body"].tolist()


def test_upload_preview_import_and_undo(monkeypatch, db):
    at = open_page(monkeypatch, db, "upload")
    data = (FIX / "toggl.csv").read_bytes()
    at.file_uploader(key="upload").set_value([("toggl.csv", data, "text/csv")]).run()
    assert not at.exception
    assert any("Toggl Track detailed" in m.value for m in at.markdown)
    shown = metrics(at)
    assert (shown["Records"], shown["New"], shown["With problems"], shown["Hours"]) == ("4", "3", "1", "28.25")
    problems = at.dataframe[0].value
    assert problems[["Line", "Column"]].values.tolist() == [["5", "Duration"]]
    with Store(db) as s:  # the preview wrote nothing
        assert scalar(s.cursor(), "SELECT count(*) FROM time_entries") == 0
    at.button(key=next(b.key for b in at.button if b.key and b.key.endswith("_go"))).click().run()
    assert "3 imported" in at.success[0].value
    with Store(db) as s:
        assert scalar(s.cursor(), "SELECT count(*) FROM time_entries") == 3
    at.run()
    assert at.dataframe[-2].value["Imported"].tolist() == ["3"]  # history
    at.button(key="undo").click().run()  # asks first (tests/test_undo_text.py pins the sentence)
    at.button(key="undo_yes").click().run()
    assert re.fullmatch(r"Batch \d+ undone\.", at.success[0].value)
    with Store(db) as s:
        assert scalar(s.cursor(), "SELECT count(*) FROM time_entries") == 0


def test_upload_of_a_crm_reexport_shows_and_applies_updates(monkeypatch, db):
    with Store(db) as s:
        import_file(s, ADMIN, FIX / "pipedrive_deals.csv")
    lines = (FIX / "pipedrive_deals.csv").read_text().splitlines()
    moved = lines[1].replace("Proposal Made", "Negotiations Started")
    at = open_page(monkeypatch, db, "upload")
    data = "\n".join([lines[0], moved, lines[2], lines[3]]).encode()
    at.file_uploader(key="upload").set_value([("deals.csv", data, "text/csv")]).run()
    shown = metrics(at)
    assert (shown["Records"], shown["New"], shown["Updated"], shown["Already there"]) == ("3", "0", "1", "2")
    at.button(key=next(b.key for b in at.button if b.key and b.key.endswith("_go"))).click().run()
    assert "0 imported, 1 updated, 2 already there" in at.success[0].value
    with Store(db) as s:
        assert scalar(s.cursor(), "SELECT recorded_stage FROM leads WHERE external_id = '17'") == "close"


def test_a_file_removed_from_the_uploader_leaves_the_disk(monkeypatch, db):
    at = open_page(monkeypatch, db, "upload")
    at.file_uploader(key="upload").set_value([("toggl.csv", (FIX / "toggl.csv").read_bytes(), "text/csv")]).run()
    folder = Path(at.session_state["upload_dir"])
    assert [p.name.endswith("toggl.csv") for p in folder.iterdir()] == [True]
    assert len(at.session_state["previews"]) == 1
    at.file_uploader(key="upload").set_value([]).run()
    assert not at.exception
    assert list(folder.iterdir()) == [] and at.session_state["previews"] == {}


def test_upload_unknown_layout_uses_the_mapping_form(monkeypatch, db):
    at = open_page(monkeypatch, db, "upload")
    at.file_uploader(key="upload").set_value([("odd.csv", b"Day,Who,Time\n2026-01-05,Ana,1.5\n", "text/csv")]).run()
    assert "matches no known layout" in at.warning[0].value
    key = next(s.key for s in at.selectbox if s.key.endswith("_kind"))
    prefix = key[: -len("_kind")]
    # proposed from the header words: Day is a date, Who a person, Time the hours
    assert at.selectbox(key=key).value == "time"
    assert [at.selectbox(key=f"{prefix}_time_{f}").value for f in ("work_date", "person", "hours")] == [
        "Day", "Who", "Time"]
    assert metrics(at)["New"] == "1"
    at.selectbox(key=f"{prefix}_time_person").set_value("—").run()  # a person may change any of them
    assert metrics(at)["New"] == "1"


def test_a_wide_file_with_only_a_name_column_goes_to_the_mapping_form(monkeypatch, db):
    at = open_page(monkeypatch, db, "upload")
    data = (FIX / "wide_name_only.csv").read_bytes()
    at.file_uploader(key="upload").set_value([("contacts.csv", data, "text/csv")]).run()
    assert not at.exception
    assert "matches no known layout" in at.warning[0].value
    assert any(s.key.endswith("_kind") for s in at.selectbox)
    assert not any("Detected:" in m.value for m in at.markdown)


def test_upload_refuses_binary(monkeypatch, db):
    at = open_page(monkeypatch, db, "upload")
    at.file_uploader(key="upload").set_value([("sheet.csv", b"PK\x03\x04binary", "text/csv")]).run()
    assert "binary file" in at.error[0].value
