"""Reference tables of the rubric and the lifecycle, shaped for display and export."""

from __future__ import annotations

import pandas as pd

from sales.demo import HANDBOOK_LEADS
from sales.lifecycle import Lifecycle, default_lifecycle
from sales.rubric import MAX_LEVEL, Rubric, default_rubric, score_lead

# What the handbook's worked examples print as their totals. Our rubric table disagrees with
# two of them (see tests/test_rubric.py); the page shows both so nobody is surprised.
HANDBOOK_STATED_TOTALS = {"Hedera University": 24, "Affogato International": 18,
                          "Ms. Brown's 5th Grade Class": 2}


def rubric_table(rubric: Rubric | None = None) -> pd.DataFrame:
    rubric = rubric or default_rubric()
    return pd.DataFrame([{
        "Factor": f.name, "Weight": f.weight, "Max points": f.weight * MAX_LEVEL,
        "0 points": f.levels[0], "1 point": f.levels[1], "2 points": f.levels[2],
    } for f in rubric.factors])


def categories_table(rubric: Rubric | None = None) -> pd.DataFrame:
    rubric = rubric or default_rubric()
    return pd.DataFrame([{"Category": c.name, "Score range": f"{c.min}–{c.max}", "Stance": c.stance,
                          "Next action": c.next_action} for c in rubric.categories])


def lifecycle_table(lifecycle: Lifecycle | None = None) -> pd.DataFrame:
    lifecycle = lifecycle or default_lifecycle()
    rows = []
    for i, s in enumerate(lifecycle.stages, start=1):
        for c in s.gate:
            rows.append({"#": i, "Stage": s.name, "Purpose": s.purpose, "Gate criterion": c.label,
                         "Computed": "yes" if c.derived else "",
                         "Applies": f"only if {c.required_if.replace('_', ' ')}" if c.required_if else "always"})
    return pd.DataFrame(rows)


def handbook_examples_table(rubric: Rubric | None = None) -> pd.DataFrame:
    """The handbook's three examples scored by our table, beside the totals the handbook prints."""
    rubric = rubric or default_rubric()
    rows = []
    for lead in HANDBOOK_LEADS:
        s = score_lead({k: v for k, v in lead.levels.items() if k in rubric.keys}, rubric)  # by the rubric in force
        rows.append({"Lead": lead.name, "Score": s.total, "Best case": s.score_max,
                     "Category": s.category.name,
                     "Unknown": ", ".join(rubric.factor(k).name for k in s.unknown),
                     "Handbook total": HANDBOOK_STATED_TOTALS[lead.name],
                     "Next action": s.category.next_action})
    return pd.DataFrame(rows)
