"""The Upload page's history says why an import cannot be undone before anyone asks, from the undo's own rule
(``undo_refusal``), and offers no confirm button that could only fail."""

from sales.store import Store
from tests.ingest.test_undo import two_imports
from tests.pages.conftest import open_page

REFUSED = "Batch 1 cannot be undone: batch 2 changed leads of batch 1 afterwards; undo batch 2 first"


def shown(at) -> list[str]:
    return [w.value.replace("\\", "") for w in at.warning]  # shell.plain escapes Markdown's characters


def test_the_history_warns_of_a_refused_undo_and_offers_no_confirm(monkeypatch, tmp_path):
    db = tmp_path / "s.duckdb"
    with Store(db) as s:
        two_imports(s, tmp_path)  # batch 2 changed deal 17 of batch 1
    at = open_page(monkeypatch, db, "upload")
    # the newest, batch 2, is picked first: nothing stands on it
    assert at.selectbox(key="hist_batch").value == 2
    assert not at.button(key="undo").disabled
    assert not [w for w in shown(at) if "cannot be undone" in w]
    at.selectbox(key="hist_batch").select(1).run()
    assert not at.exception
    assert REFUSED in shown(at)
    assert at.button(key="undo").disabled
    assert not [b for b in at.button if b.key == "undo_yes"]
    # batch 2 is offered: its confirm step says what the undo does, and yes undoes it
    at.selectbox(key="hist_batch").select(2).run()
    at.button(key="undo").click().run()
    assert any(w.startswith("Undo the import of pipedrive-march.csv") for w in shown(at))
    at.button(key="undo_yes").click().run()
    assert [s.value for s in at.success] == ["Batch 2 undone."]
    # with batch 2 gone, batch 1 (the only one left) can be undone: no warning, the button offered
    assert at.selectbox(key="hist_batch").value == 1
    assert not [w for w in shown(at) if "cannot be undone" in w]
    assert not at.button(key="undo").disabled
