"""shell.leads: a lead chosen by its number in the URL (a shared link) or found by name."""

from tests.pages.conftest import run_script


def _script():
    import streamlit as st

    import shell

    st.text(f"chosen {shell.lead_picker()}")


def picked(monkeypatch, db, **params):
    return run_script(monkeypatch, db, _script, **params)


def test_a_lead_in_the_url_is_chosen(monkeypatch, pipeline_db):
    at = picked(monkeypatch, pipeline_db, lead="2")
    assert at.text[0].value == "chosen 2"
    assert at.selectbox[0].value == 2 and at.selectbox[0].format_func(2) == "Beta"


def test_a_lead_number_that_is_not_a_number_is_ignored_with_a_notice(monkeypatch, pipeline_db):
    at = picked(monkeypatch, pipeline_db, lead="2; DROP TABLE leads")
    assert at.text[0].value == "chosen None"
    assert at.info[0].value.replace("\\", "") == "Link: 'lead=2; DROP TABLE leads' is not a lead number: ignored."


def test_finding_a_lead_by_name_and_choosing_it_writes_the_url(monkeypatch, pipeline_db):
    at = picked(monkeypatch, pipeline_db)
    at.text_input(key="lead_search").set_value("eps").run()
    assert at.selectbox[0].options == ["Epsilon"]
    at.selectbox[0].select_index(0).run()
    assert at.text[0].value == "chosen 5" and at.query_params["lead"] == "5"
