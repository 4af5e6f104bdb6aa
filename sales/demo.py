"""A deterministic, realistic demo store at any scale, so the first screen is never blank.

Everything is drawn from one seeded generator relative to an anchor date, so the same
seed and anchor always give the same store. Every row it writes is recognisable as demo data (leads
flagged ``is_demo``, the rest tied to a demo lead or marked; see sales/demo_rows.py, which removes them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from sales import audit
from sales.access import Actor, authorise
from sales.lifecycle import DERIVED, default_lifecycle
from sales.rubric import categories_for, default_rubric
from sales.store import Store, next_lead_id, scalar
from sales.team.demo import TEAM, write_roster

DEMO_SOURCE = "demo"
BUDGET_KEY = "demo-budget:"  # how a demo budget's entry key starts (sales/demo_rows.py finds them by it)
OWNERS = ("Amara Okafor", "Bruno Costa", "Chen Wei", "Dana Ivers", "Elif Kaya")
DEVELOPERS = tuple(name for name, *_ in TEAM)  # who logs the demo time entries: the demo team
LEAD_SOURCES = ("Referral", "Open edX conference", "Website form", "RFP alert", "Community forum",
                "Cold email")
LOST_REASONS = ("Budget too small", "Chose another provider", "Built in-house", "No response",
                "Project cancelled", "Timing")
PREFIXES = ("North", "Blue", "Open", "Bright", "Cedar", "Summit", "River", "Global", "Civic",
            "Nova", "Harbor", "Maple", "Atlas", "Lumen", "Quartz", "Willow")
ORGANISATION_WORDS = ("University", "Institute", "Academy", "Foundation", "Learning", "College", "Labs",
         "Health", "Society", "Collective")
TASKS = ("Theme changes", "Upgrade to latest release", "SSO integration", "Course import",
         "Bug fix", "Hosting maintenance", "Discovery call", "Code review", "XBlock development",
         "Analytics setup")


@dataclass(frozen=True)
class HandbookLead:
    name: str
    levels: dict[str, int | None]
    comments: dict[str, str]
    stage_index: int
    status: str


# The handbook's three worked examples, with our own paraphrase of each comment.
# Levels follow the examples' "Score" column; Ms. Brown's example never rates Need (unknown).
HANDBOOK_LEADS = (
    HandbookLead(
        "Hedera University",
        dict(people_profile=1, need=1, budget=2, contract_type=2, prestige=2, market_niche=2,
             internal_bias=2),
        dict(people_profile="Some grasp of open source, little contributor experience; values close to ours.",
             need="Competitors are launching microdegrees, but their campus programme is very strong.",
             budget="Clearly able to pay; questions were about why hours go where, not about cost.",
             contract_type="Custom development plus their own hosted platform over several months.",
             prestige="A famous institution whose degrees open doors.",
             market_niche="Large scope and deep integration: we are the best fit.",
             internal_bias="Jimmy, their contact, is convinced we are the team for the job."),
        2, "open"),
    HandbookLead(
        "Affogato International",
        dict(people_profile=2, need=1, budget=1, contract_type=1, prestige=1, market_niche=0,
             internal_bias=1),
        dict(people_profile="Keen on open source and its community benefit; realistic about budget.",
             need="No LMS yet; one would widen their reach considerably.",
             budget="Can afford the institutional plan, little extra development.",
             contract_type="Wants an institutional hosting plan, no custom work.",
             prestige="Known within their own circle only.",
             market_niche="Other providers could serve their modest needs just as well.",
             internal_bias="No champion yet, but they like us in principle."),
        4, "open"),
    HandbookLead(
        "Ms. Brown's 5th Grade Class",
        dict(people_profile=0, need=None, budget=0, contract_type=0, prestige=0, market_niche=0,
             internal_bias=2),
        dict(people_profile="No sign of interest in open source; too little to go on.",
             budget="Small budget, no custom development; a self-serve instance is affordable.",
             contract_type="A fit for the self-serve plan, not an institutional one.",
             prestige="A single classroom with no particular visibility.",
             market_niche="Simple quizzes and lessons that many providers can host.",
             internal_bias="Knows and likes Open edX; reluctant to switch to another LMS."),
        1, "lost"),
)


def _names(rng: np.random.Generator, n: int) -> list[str]:
    p = rng.integers(0, len(PREFIXES), n)
    k = rng.integers(0, len(ORGANISATION_WORDS), n)
    return [f"{PREFIXES[a]} {ORGANISATION_WORDS[b]} {i + 1}" for i, (a, b) in enumerate(zip(p, k))]


def _levels(rng: np.random.Generator, n: int, n_factors: int) -> np.ndarray:
    """Correlated levels: a latent fit per lead plus noise, so categories spread realistically."""
    fit = rng.beta(2.2, 2.2, n)[:, None] * 2
    noisy = fit + rng.normal(0, 0.55, (n, n_factors))
    return np.clip(np.rint(noisy), 0, 2).astype(np.int8)


def _leads_frame(rng: np.random.Generator, n: int, anchor: date) -> tuple[pd.DataFrame, np.ndarray]:
    rubric = default_rubric()
    keys = rubric.keys
    levels = _levels(rng, n, len(keys))
    weights = np.array([f.weight for f in rubric.factors])
    totals = levels @ weights
    cats = categories_for(totals, rubric)
    age_days = rng.integers(1, 540, n)
    created = pd.Timestamp(anchor) - pd.to_timedelta(age_days, unit="D")
    # how far each lead gets: High and Medium leads pass each later gate with a category-specific odds
    stages = len(default_lifecycle().stages)
    reach = np.ones(n, dtype=np.int8)  # everyone passed Generating Leads
    names = [c.name for c in default_rubric().categories]  # best first: the top passes most often
    odds = {n: (0.82, 0.6)[i] if i < 2 else 0.0 for i, n in enumerate(names)}
    p_pass = np.vectorize(lambda c: odds.get(c, 0.0), otypes=[float])(cats)
    alive = np.ones(n, dtype=bool)
    for _ in range(1, stages - 1):
        step = alive & (rng.random(n) < p_pass)
        reach = reach + step
        alive = step
    # days spent per stage; a lead cannot be further along than its age allows
    per_stage = rng.gamma(2.0, 9.0, (n, stages)).round().astype(int) + 1
    entered = np.cumsum(np.hstack([np.zeros((n, 1), dtype=int), per_stage[:, :-1]]), axis=1)
    fits = entered <= age_days[:, None]
    reach = np.minimum(reach, fits.sum(axis=1) - 1).astype(np.int8)
    won = reach >= 6
    old = age_days - entered[np.arange(n), reach] > 45
    lost = ~won & old & (rng.random(n) < 0.75)
    status = np.where(won, "won", np.where(lost, "lost", "open"))
    contract = levels[:, keys.index("contract_type")]
    base = np.choose(contract, [2_400.0, 18_000.0, 85_000.0])
    amount = np.round(base * rng.lognormal(0, 0.45, n), -2)
    frame = pd.DataFrame({
        "name": _names(rng, n),
        "owner": np.array(OWNERS)[rng.integers(0, len(OWNERS), n)],
        "lead_source": np.array(LEAD_SOURCES)[rng.integers(0, len(LEAD_SOURCES), n)],
        "created_on": created.date,
        "reach": reach,
        "status": status,
        "lost_reason": np.where(lost, np.array(LOST_REASONS)[rng.integers(0, len(LOST_REASONS), n)], None),
        "amount": amount,
        "currency": np.where(rng.random(n) < 0.7, "USD", "EUR"),
        "pricing": np.where(contract == 2, "hourly", "fixed"),
        "deposit_required": rng.random(n) < 0.5,
    })
    for i, k in enumerate(keys):
        frame[k] = levels[:, i]
    frame["entered"] = list(entered)
    return frame, levels


def _facts_rows(lead_ids: np.ndarray, reach: np.ndarray, frame: pd.DataFrame,
                rng: np.random.Generator) -> pd.DataFrame:
    """Gate facts consistent with each lead's reach: earlier gates all met, its own partly met.

    Each fact is stamped with the simulated day it became true (the next stage's entry, or a
    day into the current stage), so the store is the same for the same seed and anchor.
    """
    lifecycle = default_lifecycle()
    created = pd.to_datetime(frame["created_on"]).to_numpy().astype("datetime64[D]")
    entered = np.vstack(frame["entered"].to_numpy())
    last = len(lifecycle.stages) - 1
    ids, facts, values, stamps = [], [], [], []

    def add(mask: np.ndarray, fact: str, value: np.ndarray, day_offset: np.ndarray) -> None:
        ids.append(lead_ids[mask])
        facts.append(np.full(mask.sum(), fact))
        values.append(value[mask])
        stamps.append(created[mask] + day_offset[mask].astype("timedelta64[D]"))

    for s_idx, stage in enumerate(lifecycle.stages):
        passed = reach > s_idx
        day = np.where(passed, entered[:, min(s_idx + 1, last)], entered[:, s_idx] + 1)
        # a lead sitting in this stage must miss at least one criterion: pick the blocker
        blockable = [c.fact for c in stage.gate if not c.derived and c.required_if is None]
        blocker = rng.integers(0, max(len(blockable), 1), len(reach))
        for c in stage.gate:
            if c.derived:
                continue
            is_blocker = (np.array(blockable)[blocker] == c.fact) if blockable else False
            partial = (reach == s_idx) & (rng.random(len(reach)) < 0.45) & ~is_blocker
            value = passed | partial
            if c.required_if:
                need = frame["deposit_required"].to_numpy()
                add(np.ones(len(reach), dtype=bool), c.required_if, need, entered[:, 0])
                value = value & need
            add(value, c.fact, np.ones(len(reach), dtype=bool), day)
    dev = reach >= last
    for fact in (f for d in DERIVED for f in d.reads):  # the evidence of the delivery milestone
        add(dev, fact, np.ones(len(reach), dtype=bool), entered[:, last])
    return pd.DataFrame({"lead_id": np.concatenate(ids), "fact": np.concatenate(facts),
                         "value": np.concatenate(values),
                         "set_at": np.concatenate(stamps).astype("datetime64[us]") + np.timedelta64(10, "h")})


def _assessments(lead_ids: np.ndarray, levels: np.ndarray, created: pd.Series, reach: np.ndarray,
                 rng: np.random.Generator) -> pd.DataFrame:
    """One to three assessments per lead; earlier ones a little lower, so scores mostly rise."""
    keys = default_rubric().keys
    count = 1 + (reach >= 2) + (reach >= 3)
    rows = []
    for j in range(3):
        has = count > j
        idx = np.nonzero(has)[0]
        # assessment j of c: the latest (j == c-1) has the true levels, earlier ones drop a factor a level
        latest = (count[idx] - 1) == j
        lv = levels[idx].astype(np.int16)
        drop = (~latest)[:, None] & (rng.random((len(idx), len(keys))) < 0.25)
        lv = np.clip(lv - drop, 0, 2)
        # unknowns only where they cannot contradict a gate already passed
        p_unknown = np.where(latest, np.where(reach[idx] <= 1, 0.15, 0.0), 0.25)
        unknown = rng.random((len(idx), len(keys))) < p_unknown[:, None]
        at = pd.to_datetime(created.iloc[idx].to_numpy()) + pd.to_timedelta(j * 12 + 1, unit="D")
        frame = pd.DataFrame({"lead_id": lead_ids[idx], "assessed_at": at,
                              "assessed_by": np.array(OWNERS)[rng.integers(0, len(OWNERS), len(idx))]})
        for i, k in enumerate(keys):
            frame[k] = pd.array(np.where(unknown[:, i], -1, lv[:, i]), dtype="Int8")
            frame.loc[frame[k] == -1, k] = pd.NA
        rows.append(frame)
    return pd.concat(rows, ignore_index=True)


def _stage_events(lead_ids: np.ndarray, frame: pd.DataFrame) -> pd.DataFrame:
    stages = default_lifecycle().stages
    ids, names, at = [], [], []
    created = pd.to_datetime(frame["created_on"]).to_numpy()
    entered = np.vstack(frame["entered"].to_numpy())
    reach = frame["reach"].to_numpy()
    for s_idx, stage in enumerate(stages):
        m = reach >= s_idx
        ids.append(lead_ids[m])
        names.append(np.full(m.sum(), stage.key))
        at.append(created[m] + entered[m, s_idx].astype("timedelta64[D]") + np.timedelta64(9, "h"))
    return pd.DataFrame({"lead_id": np.concatenate(ids), "stage": np.concatenate(names),
                         "entered_at": np.concatenate(at)})


def _budgets(won: pd.DataFrame, rng: np.random.Generator, anchor: date) -> pd.DataFrame:
    """Monthly retainers from the month each account was won, some with a later change point."""
    rows = []
    for lead_id, name, start in zip(won["id"], won["name"], won["won_on"]):
        month = date(start.year, start.month, 1)
        hours = float(rng.choice([20, 40, 60, 80, 120]))
        rate = float(rng.choice([110, 125, 140]))
        rows.append((name, month, hours, None, rate, "USD", "retainer", lead_id))
        later = month + timedelta(days=int(rng.integers(60, 300)))
        if later < anchor and rng.random() < 0.35:
            rows.append((name, date(later.year, later.month, 1), hours + float(rng.choice([-20, 20, 40])),
                         None, rate, "USD", "retainer", lead_id))
    frame = pd.DataFrame(rows, columns=["account", "effective_month", "monthly_hours", "fixed_total_hours",
                                        "hourly_rate", "currency", "kind", "lead_id"])
    frame["monthly_hours"] = frame["monthly_hours"].clip(lower=10)
    frame["entry_key"] = [f"{BUDGET_KEY}{i}" for i in range(len(frame))]
    return frame


def _time_entries(won: pd.DataFrame, budgets: pd.DataFrame, m: int, rng: np.random.Generator,
                  anchor: date) -> pd.DataFrame:
    """Entries spread over each account's life, totalling 60-145 % of its budget (some run over)."""
    if m == 0 or won.empty:
        return pd.DataFrame()
    start = pd.to_datetime(won["won_on"]).to_numpy()
    span = np.maximum((np.datetime64(anchor) - start).astype("timedelta64[D]").astype(int), 1)
    monthly = budgets.groupby("lead_id")["monthly_hours"].mean().reindex(won["id"]).fillna(20).to_numpy()
    target = monthly * span / 30.4 * rng.uniform(0.6, 1.45, len(won))
    acc = rng.choice(len(won), size=m, p=target / target.sum())
    offset = (rng.random(m) * span[acc]).astype(int)
    work_date = start[acc] + offset.astype("timedelta64[D]")
    drawn = rng.gamma(1.6, 0.9, m) + 0.25
    per_account = np.bincount(acc, weights=drawn, minlength=len(won))
    scale = np.divide(target, per_account, out=np.ones(len(won)), where=per_account > 0)
    hours = np.maximum(np.round(drawn * scale[acc] * 4) / 4, 0.25)
    names = won["name"].to_numpy()[acc]
    keys = won["account_key"].to_numpy()[acc]
    issue_no = rng.integers(1, 400, m)
    task = np.array(TASKS)[rng.integers(0, len(TASKS), m)]
    return pd.DataFrame({
        "tool": DEMO_SOURCE,
        "person": np.array(DEVELOPERS)[rng.integers(0, len(DEVELOPERS), m)],
        "work_date": work_date.astype("datetime64[D]"),
        "hours": hours,
        "billable": rng.random(m) < 0.84,
        "client": names, "project": names, "account": names,
        "issue_key": np.char.add(np.char.add(keys.astype(str), "-"), issue_no.astype(str)),
        "description": task,
    })


def _last_activity(frame: pd.DataFrame, anchor: date, seed: int) -> pd.Series:
    """The CRM's last activity date (the follow-up clock's): a day of the last 40, not before the lead's creation,
    for four leads in five. Its own random stream, so every other demo figure stays as it was."""
    rng = np.random.default_rng(seed + 1)
    days = pd.Series(pd.Timestamp(anchor) - pd.to_timedelta(rng.integers(0, 40, len(frame)), unit="D"))
    when = np.maximum(days, pd.to_datetime(frame["created_on"])).dt.date
    return when.where(rng.random(len(frame)) < 0.8, None)


def write_demo(store: Store, actor: Actor, leads: int = 300, time_entries: int = 20_000, seed: int = 7,
               anchor: date | None = None) -> dict[str, int]:
    """Fill ``store`` with demo data in one transaction as ``actor``; returns row counts per table."""
    actor.require("demo")
    anchor = anchor or date.today()
    rng = np.random.default_rng(seed)
    rubric = default_rubric()
    n_gen = max(leads - len(HANDBOOK_LEADS), 0)
    frame, levels = _leads_frame(rng, n_gen, anchor)
    with store.transaction() as cur:
        authorise(cur, actor, "demo")
        first = next_lead_id(cur)
        ids = np.arange(first, first + n_gen)
        stage_keys = np.array([s.key for s in default_lifecycle().stages])
        recorded = frame["reach"].to_numpy().copy()
        ahead = (frame["status"].to_numpy() == "open") & (rng.random(n_gen) < 0.04) & (recorded < 7)
        recorded[ahead] += 1
        lead_rows = pd.DataFrame({
            "id": ids, "source_system": DEMO_SOURCE, "external_id": [f"D-{i}" for i in ids],
            "name": frame["name"], "organisation": frame["name"], "owner": frame["owner"],
            "lead_source": frame["lead_source"], "created_on": frame["created_on"],
            "crm_stage": [default_lifecycle().stages[r].name for r in recorded],
            "recorded_stage": stage_keys[recorded], "status": frame["status"],
            "lost_reason": frame["lost_reason"], "amount": frame["amount"], "currency": frame["currency"],
            "closed_on": None, "pricing": frame["pricing"], "is_demo": True,
            "last_activity": _last_activity(frame, anchor, seed)})
        cur.register("demo_leads", lead_rows)
        cur.execute("INSERT INTO leads BY NAME SELECT * FROM demo_leads")
        cur.register("demo_facts", _facts_rows(ids, frame["reach"].to_numpy(), frame, rng))
        cur.execute("INSERT INTO lead_facts (lead_id, fact, value, set_at, set_by) "
                    "SELECT lead_id, fact, value, set_at, ? FROM demo_facts", [DEMO_SOURCE])
        assess = _assessments(ids, levels, frame["created_on"], frame["reach"].to_numpy(), rng)
        assess["rubric_version"] = rubric.version
        cur.register("demo_assess", assess)
        cur.execute("INSERT INTO assessments BY NAME SELECT * FROM demo_assess")
        events = _stage_events(ids, frame)
        cur.register("demo_events", events)
        cur.execute("INSERT INTO stage_events SELECT lead_id, stage, entered_at, ?, NULL FROM demo_events",
                    [DEMO_SOURCE])
        cur.execute("""UPDATE leads SET closed_on = e.entered_at::DATE FROM (
                         SELECT lead_id, max(entered_at) AS entered_at FROM stage_events GROUP BY lead_id) e
                       WHERE leads.id = e.lead_id AND leads.status <> 'open' AND leads.is_demo""")
        # when each deal was expected to close: a closed one's expectation was out by up to a month or so
        # either way (deals slip); an open one is expected in the coming months
        cur.execute("""UPDATE leads SET expected_close = CASE WHEN status = 'open'
                           THEN greatest(created_on + 75, ?::DATE) + CAST(id * 7 % 120 AS INTEGER)
                           ELSE closed_on + CAST(id * 13 % 76 AS INTEGER) - 30 END
                       WHERE is_demo AND id >= ?""", [anchor, int(first)])
        _write_handbook_leads(cur, first + n_gen, anchor, rubric.version)
        delivery = default_lifecycle().stages[-2].key  # won leads are worked on in the stage before the last
        won = cur.execute("""SELECT l.id, l.name, e.entered_at::DATE AS won_on FROM leads l
                             JOIN stage_events e ON e.lead_id = l.id AND e.stage = ?
                             WHERE l.is_demo AND l.status = 'won' ORDER BY l.id""", [delivery]).df()
        won["account_key"] = [f"AC{i}" for i in won["id"]]
        budgets = _budgets(won, rng, anchor)
        if len(budgets):
            cur.register("demo_budgets", budgets)
            cur.execute("INSERT INTO budgets BY NAME SELECT * FROM demo_budgets")
        entries = _time_entries(won, budgets, time_entries, rng, anchor)
        if len(entries):
            cur.register("demo_entries", entries)
            cur.execute("INSERT INTO time_entries BY NAME SELECT * FROM demo_entries")
        write_roster(cur, anchor, DEMO_SOURCE)  # the developers of the time entries, their rates and time off
        counts = {t: scalar(cur, f"SELECT count(*) FROM {t}")  # noqa: S608 (fixed table names)
                  for t in ("leads", "assessments", "stage_events", "lead_facts", "budgets", "time_entries")}
        audit.record(cur, actor, "demo", f"demo data, seed {seed}", after=counts)
    return counts


def _write_handbook_leads(cur, first_id: int, anchor: date, version: str) -> None:
    keys = default_rubric().keys
    stages = default_lifecycle().stages
    for offset, lead in enumerate(HANDBOOK_LEADS):
        lead_id = first_id + offset
        created = anchor - timedelta(days=40 + 10 * offset)
        stage = stages[lead.stage_index]
        cur.execute("""INSERT INTO leads (id, source_system, external_id, name, organisation, owner,
                       lead_source, created_on, crm_stage, recorded_stage, status, pricing, is_demo)
                       VALUES (?, ?, ?, ?, ?, ?, 'Handbook example', ?, ?, ?, ?, ?, true)""",
                    [lead_id, DEMO_SOURCE, f"HB-{offset + 1}", lead.name, lead.name, OWNERS[offset],
                     created, stage.name, stage.key, lead.status,
                     "hourly" if lead.levels["contract_type"] == 2 else "fixed"])
        cols = ", ".join(keys) + ", " + ", ".join(f"{k}_comment" for k in keys)
        marks = ", ".join("?" for _ in range(2 * len(keys)))
        cur.execute(f"INSERT INTO assessments (lead_id, assessed_at, assessed_by, rubric_version, {cols}) "  # noqa: S608
                    f"VALUES (?, ?, ?, ?, {marks})",
                    [lead_id, datetime.combine(created + timedelta(days=3), datetime.min.time()),
                     OWNERS[offset], version]
                    + [lead.levels[k] for k in keys] + [lead.comments.get(k) for k in keys])
        for s_idx in range(lead.stage_index + 1):
            cur.execute("INSERT INTO stage_events VALUES (?, ?, ?, ?, NULL)",
                        [lead_id, stages[s_idx].key,
                         datetime.combine(created + timedelta(days=6 * s_idx), datetime.min.time()), DEMO_SOURCE])
        for s in stages[:lead.stage_index]:
            for c in s.gate:
                if not c.derived and c.required_if is None:
                    cur.execute("INSERT INTO lead_facts (lead_id, fact, value, set_at, set_by) "
                                "VALUES (?, ?, true, ?, ?)",
                                [lead_id, c.fact, datetime.combine(created + timedelta(days=5), datetime.min.time()),
                                 DEMO_SOURCE])
