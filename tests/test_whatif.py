"""What-if helpers: contribution rows, the lift in words, side-by-side comparison."""

import pyarrow as pa

from sales import charts
from sales.whatif import compare, contribution_rows, describe_lift, summary
from tests.pipeline_store import build


def test_contribution_rows():
    df = contribution_rows({"prestige": 2, "need": None, "contract_type": 1}).set_index("factor")
    assert df.loc["Prestige", ["points", "possible", "level"]].tolist() == [6, 0, 2]
    assert df.loc["Need", ["points", "possible", "level"]].tolist() == [0, 4, "unknown"]
    assert df.loc["Contract type", ["points", "max"]].tolist() == [1, 2]
    spec = charts.contribution_chart(df.reset_index()).to_dict()
    assert spec["encoding"]["x"]["scale"]["domain"] == [0, 6]
    # the chart's rows go to the browser as Arrow: a level column of numbers and "unknown" has one type there
    rows = next(iter(spec["datasets"].values()))
    assert {r["factor"]: r["level"] for r in rows if r["part"] == "points"}["Need"] == "unknown"
    assert {type(r["level"]) for r in rows} == {str}
    pa.Table.from_pylist(rows)


def test_describe_lift_for_affogato():
    levels = dict(people_profile=2, need=1, budget=1, contract_type=1, prestige=1, market_niche=0, internal_bias=1)
    score, lift = summary(levels)
    assert (score.total, score.category.name, lift.target.name) == (14, "Medium", "High")
    lines = describe_lift(lift)
    assert [line.split(":")[0] for line in lines] == ["Prestige", "Need", "Budget"]
    assert lines[0].startswith("Prestige: 1 → 2 (+3): A leading, widely known organisation")
    assert describe_lift(None) == []


def test_compare_two_leads(store):
    build(store)
    df = compare(store.cursor(), 1, 2).set_index("factor")
    assert df.loc["Prestige"].tolist() == ["2 (6)", "2 (6)"]
    assert df.loc["Market niche"].tolist() == ["2 (4)", "?"]
    assert df.loc["Score"].tolist() == ["28", "14–28"] and df.loc["Category"].tolist() == ["High", "Medium"]
