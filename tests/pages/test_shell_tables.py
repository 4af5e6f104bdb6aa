"""shell.tables: tables as people read them (labels, dates, thousands), the first rows on screen and every
row in a download that a spreadsheet opens safely."""

from streamlit.testing.v1 import AppTest


def _script():
    import pandas as pd
    import streamlit as st

    import shell

    rows = pd.DataFrame({"name": [f"=HYPERLINK(\"http://x\",\"{i}\")" for i in range(7)], "n": range(7),
                         "billable_hours": [1.25, None, 3, 4, 5, 6, 1234.5], "lead_id": range(7)})
    shell.table(rows, "rows.csv", limit=5, column_config={"lead_id": None})
    shell.table(rows.head(2), limit=5, labels={"n": "Number"})
    st.download_button("x", shell.tables._readable_csv(rows.tail(1), None, None, None), key="csv")


def test_a_table_shows_its_first_rows_and_downloads_them_all():
    at = AppTest.from_function(_script, default_timeout=30).run()
    assert not at.exception
    assert [c.value for c in at.caption] == ["The first 5 of 7 rows; the download holds them all."]
    assert [len(d.value) for d in at.dataframe] == [5, 2]
    # sales.tables.readable: words, the unit in the header, an empty cell blank; a hidden column is not shown
    assert at.dataframe[0].value.columns.tolist() == ["Name", "N", "Billable (h)"]
    assert at.dataframe[0].value["Billable (h)"].tolist() == ["1.25", "", "3.00", "4.00", "5.00"]
    assert at.dataframe[1].value.columns.tolist() == ["Name", "Number", "Billable (h)", "Lead ID"]
    assert [b.proto.label for b in at.get("download_button")] == ["Download CSV", "x"]


def test_a_table_is_written_out_once_per_content(monkeypatch):
    """A rerun showing the same rows reuses their text; any change of value, order, type, header or unit
    writes them out again, and cells that cannot be hashed are written out every time."""
    import pandas as pd

    from shell import tables

    calls = []
    real = tables.readable
    monkeypatch.setattr(tables, "readable", lambda *a: calls.append(1) or real(*a))
    monkeypatch.setattr(tables, "_kept", type(tables._kept)())
    rows = pd.DataFrame({"account": ["Acme", "Beta"], "billable_hours": [1.5, 2.0]})
    first = tables.readable_kept(rows)
    assert first.to_dict("list") == {"Account": ["Acme", "Beta"], "Billable (h)": ["1.50", "2.00"]}
    assert tables.readable_kept(rows.copy()) is first and len(calls) == 1  # same content: not written again
    for changed in (rows.assign(billable_hours=[1.5, 2.5]), rows.iloc[::-1].reset_index(drop=True),
                    rows.assign(billable_hours=["1.5", "2.0"]), rows.rename(columns={"account": "client"})):
        tables.readable_kept(changed)
    assert len(calls) == 5
    assert tables.readable_kept(rows, labels={"account": "Client"}).columns.tolist() == ["Client", "Billable (h)"]
    assert tables.readable_kept(rows, units={"billable_hours": None})["Billable hours"].tolist() == ["1.5", "2"]
    listed = pd.DataFrame({"tags": [["a"], ["b"]]})
    tables.readable_kept(listed)
    tables.readable_kept(listed)
    assert len(calls) == 9
