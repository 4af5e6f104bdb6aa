"""shell.filters: the sidebar filters read from the URL, corrected with a notice, and written back to it so a
view can be shared by its link."""

from tests.pages.conftest import run_script


def _script():
    import streamlit as st

    import shell

    f = shell.filters()
    st.text(f"{f.start} {f.end} {list(f.categories)} {list(f.sources)} {list(f.owners)}")


def filtered(monkeypatch, db, **params):
    return run_script(monkeypatch, db, _script, **params)


def test_the_url_sets_the_filters_and_keeps_what_they_are(monkeypatch, pipeline_db):
    at = filtered(monkeypatch, pipeline_db, **{"from": "2026-01-01", "to": "2026-03-31", "owner": "Bo",
                                               "source": "Web", "lead": "2"})
    assert at.text[0].value == "2026-01-01 2026-03-31 [] ['Web'] ['Bo']"
    assert [m.value for m in at.sidebar.multiselect] == [[], ["Web"], ["Bo"]]
    assert at.query_params["owner"] == "Bo" and at.query_params["lead"] == "2"  # other parameters stay
    assert not at.info


def test_a_link_asking_for_what_the_store_lacks_is_corrected_with_a_notice(monkeypatch, pipeline_db):
    at = filtered(monkeypatch, pipeline_db, **{"from": "2026-02-30", "to": "2026-03-31", "owner": "Nobody"})
    notices = " ".join(i.value.replace("\\", "") for i in at.info)
    assert "Link: 'from=2026-02-30' is not a date (YYYY-MM-DD): the default is used." in notices
    assert "Link: unknown owner 'Nobody' ignored." in notices
    assert at.text[0].value.endswith("2026-03-31 [] [] []")
    assert "owner" not in at.query_params  # the corrected view is what the URL now shares


def test_choosing_in_the_sidebar_writes_the_url(monkeypatch, pipeline_db):
    at = filtered(monkeypatch, pipeline_db, **{"from": "2026-01-01", "to": "2026-03-31"})
    at.sidebar.multiselect[2].select("Ana").run()
    assert at.query_params["owner"] == "Ana"
    assert at.text[0].value.endswith("['Ana']")
