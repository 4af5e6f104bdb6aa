"""The query cache every page reads through: one result per question, shared by all sessions, that no
reader can change for another; and a key that tells apart every question that differs."""

from datetime import date, datetime

import pandas as pd
import pytest

from sales.filters import Filters
from sales.priorities import counts_by

YEAR = Filters(date(2026, 1, 1), date(2026, 12, 31))


def by_source(frame: pd.DataFrame) -> list:
    return sorted(frame[["source", "category", "leads"]].itertuples(index=False, name=None))


def test_a_reader_changing_its_result_changes_nothing_another_reads(monkeypatch, pipeline_db):
    monkeypatch.setenv("SALES_DB", str(pipeline_db))
    import shell

    # by hand (tests/pipeline_store.py): Referral holds Alpha and Delta (High) and Epsilon (Medium);
    # Web holds Beta (Medium), Gamma (Low) and Zeta (never assessed)
    expected = [("Referral", "High", 2), ("Referral", "Medium", 1),
                ("Web", "Low", 1), ("Web", "Medium", 1), ("Web", "Not assessed", 1)]
    first = shell.query(counts_by, YEAR, "source")
    assert by_source(first) == expected
    first.loc[first.index[0], "leads"] = 99  # what a careless page might do to its copy
    first["extra"] = "x"
    first.iloc[-1, 0] = "changed"
    second = shell.query(counts_by, YEAR, "source")
    assert by_source(second) == expected and "extra" not in second.columns


def test_the_key_tells_apart_every_question_that_differs():
    import shell

    different = [(1,), (True,), ("1",), (1.0,), (None,), ((1,),), ([1],), ({"a": 1},), ({"a": 1.0},),
                 (date(2026, 1, 1),), (datetime(2026, 1, 1),), (YEAR,), (Filters(YEAR.start, YEAR.end, ("High",)),),
                 (Filters(YEAR.start, YEAR.end, owners=("High",)),), ("a", "b"), ("a,b",), ("'a', 'b'",)]
    keys = [shell.cache_key("sales.x.f", (3, 4), args) for args in different]
    assert len(set(keys)) == len(different)
    assert shell.cache_key("f", (3, 4), (Filters(YEAR.start, YEAR.end),)) == shell.cache_key("f", (3, 4), (YEAR,))


def test_an_argument_whose_text_is_abridged_is_refused():
    import shell

    with pytest.raises(TypeError, match="DataFrame"):
        shell.cache_key("f", (1,), (pd.DataFrame({"a": range(1000)}),))
