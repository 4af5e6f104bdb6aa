"""Six hand-made leads whose every dashboard figure is worked out by hand in the tests.

| id | lead    | created | status | source   | owner | score (max)   | facts                     | stage (index)   |
|----|---------|---------|--------|----------|-------|---------------|---------------------------|-----------------|
| 1  | Alpha   | 02-01   | open   | Referral | Ana   | 28 High       | inquiry, responsive, needs| Blueprint (3)   |
| 2  | Beta    | 02-05   | open   | Web      | Bo    | 14 (28) Medium| inquiry, responsive       | Assess Needs (2)|
| 3  | Gamma   | 03-01   | lost   | Web      | Ana   | 0 Low         | inquiry                   | Prospect Q. (1) |
| 4  | Delta   | 03-05   | won    | Referral | Bo    | 28 High       | everything up to Close    | Development (6) |
| 5  | Epsilon | 01-10   | lost   | Referral | Ana   | 14 Medium     | inquiry, responsive       | Assess Needs (2)|
| 6  | Zeta    | 03-10   | open   | Web      | Bo    | none          | none; CRM says Proposal   | Generating (0)  |
"""

from datetime import date

from sales.rubric import default_rubric

ALL2 = dict(people_profile=2, need=2, budget=2, contract_type=2, prestige=2, market_niche=2, internal_bias=2)
ALL0 = {k: 0 for k in ALL2}
MEDIUM = dict(people_profile=None, need=2, budget=2, contract_type=None, prestige=2, market_niche=None,
              internal_bias=None)
MEDIUM_KNOWN = dict(people_profile=0, need=2, budget=2, contract_type=0, prestige=2, market_niche=0, internal_bias=0)
CLOSE = ["inquiry_received", "responsive", "needs_documented", "blueprint_completed", "proposal_delivered",
         "proposal_accepted", "onboarding_done", "kickoff_held", "tracking_set", "epics_scheduled"]

LEADS = [
    # id, name, created, status, source, owner, amount, closed, lost_reason, pricing, recorded, levels, facts
    (1, "Alpha", date(2026, 2, 1), "open", "Referral", "Ana", 1000, None, None, "fixed", "blueprint", ALL2,
     ["inquiry_received", "responsive", "needs_documented"]),
    (2, "Beta", date(2026, 2, 5), "open", "Web", "Bo", 500, None, None, "fixed", "assess_needs", MEDIUM,
     ["inquiry_received", "responsive"]),
    (3, "Gamma", date(2026, 3, 1), "lost", "Web", "Ana", 200, date(2026, 3, 10), "Budget too small", "fixed",
     "prospect_qualification", ALL0, ["inquiry_received"]),
    (4, "Delta", date(2026, 3, 5), "won", "Referral", "Bo", 5000, date(2026, 4, 1), None, "hourly", "development",
     ALL2, CLOSE),
    (5, "Epsilon", date(2026, 1, 10), "lost", "Referral", "Ana", 800, date(2026, 2, 1), "Chose another provider",
     "fixed", "assess_needs", MEDIUM_KNOWN, ["inquiry_received", "responsive"]),
    (6, "Zeta", date(2026, 3, 10), "open", "Web", "Bo", 300, None, None, None, "proposal", None, []),
]
EVENTS = [(1, "generating_leads", "2026-02-01"), (1, "prospect_qualification", "2026-02-03"),
          (1, "assess_needs", "2026-02-10"), (1, "blueprint", "2026-02-20"),
          (2, "generating_leads", "2026-02-05"), (2, "prospect_qualification", "2026-02-06"),
          (2, "assess_needs", "2026-02-16"),
          (3, "generating_leads", "2026-03-01"), (3, "prospect_qualification", "2026-03-02")]


def build(store) -> None:
    with store.transaction() as cur:
        for (lead_id, name, created, status, source, owner, amount, closed, reason, pricing, recorded, levels,
             facts) in LEADS:
            cur.execute("""INSERT INTO leads (id, source_system, external_id, name, organisation, owner, lead_source,
                           created_on, recorded_stage, status, lost_reason, amount, currency, closed_on, pricing)
                           VALUES (?, 'test', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'USD', ?, ?)""",
                        [lead_id, str(lead_id), name, name, owner, source, created, recorded, status, reason, amount,
                         closed, pricing])
            if levels:  # the factors of the rubric in force (a tuned rubric may have fewer)
                levels = {k: v for k, v in levels.items() if k in default_rubric().keys}
                cols = ", ".join(levels)
                cur.execute(f"""INSERT INTO assessments (lead_id, assessed_at, assessed_by, rubric_version, {cols},
                                prestige_comment) VALUES (?, ?, 'Ana', 'handbook-1', {', '.join('?' * len(levels))},
                                'Known in the field')""", [lead_id, created, *levels.values()])
            for fact in facts:
                cur.execute("INSERT INTO lead_facts (lead_id, fact, value, set_at) VALUES (?, ?, true, ?)",
                            [lead_id, fact, created])
        for lead_id, stage, at in EVENTS:
            cur.execute("INSERT INTO stage_events VALUES (?, ?, ?, 'test', NULL)", [lead_id, stage, at])
