"""The rubric: loading, scoring one lead, what it would take, and the table scorers."""

import duckdb
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sales.demo import HANDBOOK_LEADS
from sales.reference import HANDBOOK_STATED_TOTALS
from sales.rubric import (
    DEFAULT_RUBRIC,
    LevelError,
    RubricError,
    check_level,
    default_rubric,
    levels_array,
    load_rubric,
    match_factor_columns,
    parse_rubric,
    score_frame,
    score_lead,
    score_sql,
    what_it_would_take,
)

RUBRIC = default_rubric()
KEYS = RUBRIC.keys
ALL = lambda v: dict.fromkeys(KEYS, v)  # noqa: E731


def levels(**kw):
    return {k: kw.get(k, 0) for k in KEYS}


# ------------------------------------------------------------------ the file itself


def test_rubric_file_matches_the_handbook_table():
    assert KEYS == ("people_profile", "need", "budget", "contract_type", "prestige", "market_niche",
                    "internal_bias")
    assert [f.weight for f in RUBRIC.factors] == [2, 2, 2, 1, 3, 2, 2]
    assert [f.name for f in RUBRIC.factors] == ["People profile", "Need", "Budget", "Contract type",
                                                "Prestige", "Market niche", "Internal positive bias"]
    assert RUBRIC.max_score == 28
    assert [(c.name, c.min, c.max) for c in RUBRIC.categories] == [
        ("High", 20, 28), ("Medium", 10, 19), ("Low", 0, 9)]
    assert [c.next_action for c in RUBRIC.categories] == [
        "Offer a technical discovery at no upfront charge", "Offer a paid technical discovery",
        "Point them to the self-serve Pro & Teacher plan"]
    assert all(all(text.strip() for text in f.levels) for f in RUBRIC.factors)


def _doc(**changes):
    import tomllib

    doc = tomllib.loads(DEFAULT_RUBRIC.read_text())
    for path, value in changes.items():
        kind, index, field = path.split("__")
        doc[kind][int(index)][field] = value
    return doc


@pytest.mark.parametrize("changes, message", [
    ({"factor__0__weight": 0}, "factor 'people_profile': weight must be a positive integer, got 0"),
    ({"factor__1__weight": -2}, "weight must be a positive integer, got -2"),
    ({"factor__1__weight": 1.5}, "weight must be a positive integer, got 1.5"),
    ({"factor__1__weight": "2"}, "weight must be a positive integer, got '2'"),
    ({"factor__2__key": "Budget Level"}, "key 'Budget Level' must be lower_snake_case"),
    ({"factor__3__key": "need"}, "duplicate factor keys: ['need']"),
    ({"category__0__max": 27}, "'high' ends at 27, expected 28"),
    ({"category__1__min": 11}, "'low' ends at 9, expected 10"),
    ({"category__2__min": 1}, "nothing covers 0..0"),
    ({"category__1__min": 30}, "range 30..19 is not a valid integer range"),
])
def test_invalid_rubric_names_the_problem(changes, message):
    with pytest.raises(RubricError) as e:
        parse_rubric(_doc(**changes))
    assert message in str(e.value)


def test_weight_change_requires_new_ranges():
    # weights summing differently must come with ranges that cover the new maximum
    with pytest.raises(RubricError, match=r"contiguous over 0..30"):
        parse_rubric(_doc(factor__3__weight=2))


def test_missing_field_and_bad_files(tmp_path):
    doc = _doc()
    del doc["factor"][4]["level_1"]
    with pytest.raises(RubricError, match="factor #5: missing 'level_1'"):
        parse_rubric(doc)
    with pytest.raises(RubricError, match="rubric file not found"):
        load_rubric(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[[factor]\nkey=")
    with pytest.raises(RubricError, match="bad.toml: not valid TOML"):
        load_rubric(bad)
    empty = tmp_path / "empty.toml"
    empty.write_text("version = 'x'\n")
    with pytest.raises(RubricError, match="empty.toml: rubric has no \\[\\[factor\\]\\] entries"):
        load_rubric(empty)


# ------------------------------------------------------------------ one lead

# Every category boundary, built by hand from the weights (2,2,2,1,3,2,2).
BOUNDARIES = [
    (ALL(0), 0, "Low"),
    (levels(people_profile=1, need=1, budget=1, prestige=1), 2 + 2 + 2 + 3, "Low"),  # 9
    (levels(people_profile=2, need=2, budget=1), 4 + 4 + 2, "Medium"),  # 10
    ({**ALL(2), "prestige": 1, "people_profile": 1, "need": 1, "budget": 1}, 28 - 3 - 2 - 2 - 2, "Medium"),  # 19
    ({**ALL(2), "contract_type": 0, "need": 0, "budget": 1}, 28 - 2 - 4 - 2, "High"),  # 20
    (ALL(2), 28, "High"),
]


@pytest.mark.parametrize("lead, total, category", BOUNDARIES)
def test_category_boundaries(lead, total, category):
    s = score_lead(lead)
    assert (s.total, s.category.name, s.score_max, s.unknown, s.could_change) == (
        total, category, total, (), False)


@pytest.mark.parametrize("total, category", [(0, "Low"), (9, "Low"), (10, "Medium"), (19, "Medium"),
                                             (20, "High"), (28, "High")])
def test_category_for(total, category):
    assert RUBRIC.category_for(total).name == category


@pytest.mark.parametrize("total", [-1, 29])
def test_category_for_out_of_range(total):
    with pytest.raises(ValueError, match="outside 0..28"):
        RUBRIC.category_for(total)


def test_contributions_are_level_times_weight():
    s = score_lead(levels(people_profile=1, need=2, contract_type=2, prestige=1, internal_bias=None))
    assert s.contributions == {"people_profile": 2, "need": 4, "budget": 0, "contract_type": 2,
                               "prestige": 3, "market_niche": 0, "internal_bias": None}
    assert s.total == 11 and s.unknown == ("internal_bias",) and s.score_max == 15


@pytest.mark.parametrize("lead, total, best, cat, cat_max", [
    # unknown factors count 0 now and 2 at best
    ({}, 0, 28, "Low", "High"),
    ({"prestige": 2, "need": 2, "budget": 2}, 14, 28, "Medium", "High"),
    ({**ALL(0), "prestige": None}, 0, 6, "Low", "Low"),  # still Low whatever prestige turns out to be
    ({**ALL(2), "contract_type": None}, 26, 28, "High", "High"),
    ({**ALL(1), "prestige": None, "need": ""}, 9, 9 + 6 + 4, "Low", "Medium"),
])
def test_unknown_factors_and_best_case(lead, total, best, cat, cat_max):
    s = score_lead(lead)
    assert (s.total, s.score_max, s.category.name, s.category_max.name) == (total, best, cat, cat_max)
    assert s.could_change == (cat != cat_max)


@pytest.mark.parametrize("value, expected", [
    (0, 0), (1, 1), (2, 2), ("2", 2), (" 1 ", 1), (2.0, 2), (np.int64(1), 1),
    (None, None), ("", None), ("  ", None), (float("nan"), None),
])
def test_check_level_accepts(value, expected):
    assert check_level(value) == expected


@pytest.mark.parametrize("value", [3, -1, "3", "two", 1.5, True, "1.0", [1]])
def test_check_level_rejects(value):
    with pytest.raises(LevelError, match="expected 0, 1, 2 or blank"):
        check_level(value)


def test_unknown_factor_key_is_an_error():
    with pytest.raises(KeyError, match="unknown factor keys: \\['charisma'\\]"):
        score_lead({"charisma": 2})


# The handbook's worked examples versus the authoritative table.
# Levels are each example's "Score" column; weights and totals come from the table.
HANDBOOK = {lead.name: lead for lead in HANDBOOK_LEADS}


@pytest.mark.parametrize("name, table_total, category", [
    ("Hedera University", 24, "High"),
    # handbook: Contract Type "1 * 2 = 2" (weight is 1) and a printed total of 18, while even its own
    # lines add up to 15. The table gives 4 + 2 + 2 + 1 + 3 + 0 + 2 = 14: still Medium.
    ("Affogato International", 14, "Medium"),
    # handbook: no Need line at all (unknown here), Budget/Contract weights swapped, Prestige "2 * 0",
    # Internal bias level 2 written as "1 * 2 = 2", total 2. The table gives bias 2 * 2 = 4: Low either way.
    ("Ms. Brown's 5th Grade Class", 4, "Low"),
])
def test_handbook_examples_disagreements(name, table_total, category):
    s = score_lead(HANDBOOK[name].levels)
    assert (s.total, s.category.name) == (table_total, category)
    stated = HANDBOOK_STATED_TOTALS[name]
    assert RUBRIC.category_for(stated).name == category  # the slips never change the category
    if name == "Hedera University":
        assert stated == table_total
    else:
        assert stated != table_total


def test_ms_brown_best_case_stays_low():
    s = score_lead(HANDBOOK["Ms. Brown's 5th Grade Class"].levels)
    assert s.unknown == ("need",) and s.score_max == 8 and not s.could_change


# ------------------------------------------------------------------ what it would take


@pytest.mark.parametrize("lead, target, raises, steps, new_total", [
    # 0 → Medium needs 10: prestige twice (+6), then people profile twice (+4)
    (ALL(0), "Medium", [("prestige", 0, 2), ("people_profile", 0, 2)], 4, 10),
    # Affogato 14 → High needs 6: prestige 1→2 (+3), need 1→2 (+2), budget 1→2 (+2); 3 raises is the least
    (HANDBOOK["Affogato International"].levels, "High",
     [("prestige", 1, 2), ("need", 1, 2), ("budget", 1, 2)], 3, 21),
    # Ms. Brown 4 → Medium needs 6: prestige 0→2
    (HANDBOOK["Ms. Brown's 5th Grade Class"].levels, "Medium", [("prestige", 0, 2)], 2, 10),
    # 19 → High needs 1: one prestige raise
    ({**ALL(2), "prestige": 1, "people_profile": 1, "need": 1, "budget": 1}, "High", [("prestige", 1, 2)], 1, 22),
    # unknown counts as 0: 2+2+2+1+0+0+2 = 9 with prestige unknown needs 1 more: prestige None → 1
    ({**ALL(1), "prestige": None, "market_niche": 0}, "Medium", [("prestige", None, 1)], 1, 12),
])
def test_what_it_would_take(lead, target, raises, steps, new_total):
    lift = what_it_would_take(lead)
    assert lift.target.name == target
    assert [(r.factor, r.from_level, r.to_level) for r in lift.raises] == raises
    assert (lift.steps, lift.new_total) == (steps, new_total)
    assert score_lead({**{k: v for k, v in lead.items()}, **{r.factor: r.to_level for r in lift.raises}}
                      ).category.name == target


def test_nothing_above_high():
    assert what_it_would_take(HANDBOOK["Hedera University"].levels) is None


level_or_unknown = st.sampled_from([0, 1, 2, None])
leads = st.fixed_dictionaries({k: level_or_unknown for k in KEYS})


@settings(max_examples=300, deadline=None)
@given(leads)
def test_what_it_would_take_is_minimal(lead):
    lift = what_it_would_take(lead)
    s = score_lead(lead)
    if lift is None:
        assert s.category.name == "High"
        return
    assert lift.new_total >= lift.target.min
    # no plan with one raise fewer can reach the target: the k-1 heaviest raises fall short
    room = sorted((f.weight for f in RUBRIC.factors for _ in range(2 - (lead[f.key] or 0))), reverse=True)
    assert s.total + sum(room[: lift.steps - 1]) < lift.target.min


# ------------------------------------------------------------------ properties


@settings(max_examples=300, deadline=None)
@given(leads, st.sampled_from(KEYS))
def test_score_is_monotone_in_every_factor(lead, key):
    before = score_lead(lead)
    for higher in (0, 1, 2):
        if lead[key] is not None and higher < lead[key]:
            continue
        after = score_lead({**lead, key: higher})
        assert after.total >= before.total
        if lead[key] is not None:
            assert after.score_max >= before.score_max


@settings(max_examples=300, deadline=None)
@given(leads)
def test_score_within_bounds(lead):
    s = score_lead(lead)
    assert 0 <= s.total <= s.score_max <= 28
    assert s.total == sum(v for v in s.contributions.values() if v is not None)
    assert s.score_max - s.total == sum(2 * RUBRIC.factor(k).weight for k in s.unknown)


# ------------------------------------------------------------------ whole tables


@pytest.mark.parametrize("columns, expected", [
    (["People profile", "NEED", "budget", "Contract_Type", "prestige", "Market Niche", "Internal positive bias"],
     dict(zip(KEYS, ["People profile", "NEED", "budget", "Contract_Type", "prestige", "Market Niche",
                     "Internal positive bias"]))),
    (["people_profile", "internal_bias", "Name"], {"people_profile": "people_profile",
                                                  "internal_bias": "internal_bias"}),
    (["internalpositivebias", "market-niche"], {"market_niche": "market-niche",
                                                "internal_bias": "internalpositivebias"}),
    (["Name", "Owner"], {}),
])
def test_match_factor_columns(columns, expected):
    assert match_factor_columns(columns) == expected


def test_levels_array_and_first_bad_row():
    assert levels_array(pd.Series(["0", "1", "2", "", " 2 "])).tolist() == [0, 1, 2, -1, 2]
    assert levels_array(pd.Series([0, 1, None, 2])).tolist() == [0, 1, -1, 2]
    with pytest.raises(LevelError) as e:
        levels_array(pd.Series(["1", "2", "x", "3"]))
    assert e.value.row == 2 and "'x'" in str(e.value)
    with pytest.raises(LevelError) as e:
        levels_array(pd.Series([0, 1, 2, 5]))
    assert e.value.row == 3


def _frame_and_sql(lead_rows):
    n = len(lead_rows)
    arrays = {k: np.array([-1 if r[k] is None else r[k] for r in lead_rows], dtype=np.int8) for k in KEYS}
    vec = score_frame(arrays, n)
    con = duckdb.connect()
    df = pd.DataFrame({k: pd.array([r[k] for r in lead_rows], dtype="Int8") for k in KEYS})
    con.register("t", df)
    ex = score_sql({k: k for k in KEYS})
    sql = con.execute(f"SELECT {ex['score']}, {ex['score_max']}, {ex['category']}, {ex['category_max']} "  # noqa: S608
                      f"FROM t").fetchall()
    return vec, sql


@settings(max_examples=50, deadline=None)
@given(st.lists(leads, min_size=1, max_size=30))
def test_vectorised_and_sql_scorers_agree_with_score_lead(lead_rows):
    vec, sql = _frame_and_sql(lead_rows)
    for i, lead in enumerate(lead_rows):
        s = score_lead(lead)
        assert (vec["score"][i], vec["score_max"][i], vec["category"][i]) == (s.total, s.score_max, s.category.name)
        assert vec["unknown_factors"][i] == ";".join(s.unknown)
        assert sql[i] == (s.total, s.score_max, s.category.name, s.category_max.name)


def test_score_sql_refuses_non_identifiers():
    with pytest.raises(ValueError, match="not a plain column identifier"):
        score_sql({**{k: k for k in KEYS}, "need": "need); DROP TABLE leads; --"})
