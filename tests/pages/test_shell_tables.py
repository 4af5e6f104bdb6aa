"""shell.tables: tables as people read them (labels, dates, thousands), the first rows on screen and every
row in a download that a spreadsheet opens safely."""

from datetime import datetime

import pandas as pd
from streamlit.testing.v1 import AppTest

from shell import people_columns


def test_columns_are_labelled_and_formatted_for_people():
    frame = pd.DataFrame({"created_on": pd.to_datetime(["2026-01-05", "2026-02-01"]),
                          "touched_at": [datetime(2026, 1, 5, 9, 30), None], "hours": [1.5, 2.0],
                          "leads": [1200, 3], "lead_id": [7, 8], "batch": [1, 2], "name": ["a", "b"]})
    config = people_columns(frame)
    assert {c: config[c]["label"] for c in frame.columns} == {
        "created_on": "Created on", "touched_at": "Touched at", "hours": "Hours", "leads": "Leads",
        "lead_id": "Lead id", "batch": "Batch", "name": "Name"}
    assert [config["created_on"]["type_config"][k] for k in ("type", "format")] == ["date", "YYYY-MM-DD"]  # midnight
    assert [config["touched_at"]["type_config"][k] for k in ("type", "format")] == ["datetime", "YYYY-MM-DD HH:mm"]
    assert config["hours"]["type_config"]["format"] == "%,.2f"
    assert config["leads"]["type_config"]["format"] == "%,d"
    assert "type_config" not in config["lead_id"] and "type_config" not in config["batch"]  # ids are not amounts


def _script():
    import pandas as pd

    import shell

    rows = pd.DataFrame({"name": [f"=HYPERLINK(\"http://x\",\"{i}\")" for i in range(7)], "n": range(7)})
    shell.table(rows, "rows.csv", limit=5)
    shell.table(rows.head(2), limit=5)


def test_a_table_shows_its_first_rows_and_downloads_them_all():
    at = AppTest.from_function(_script, default_timeout=30).run()
    assert not at.exception
    assert [c.value for c in at.caption] == ["The first 5 of 7 rows; the download holds them all."]
    assert [len(d.value) for d in at.dataframe] == [5, 2]
    assert [b.proto.label for b in at.get("download_button")] == ["Download CSV"]
