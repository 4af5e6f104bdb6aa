"""What moved between two dates: leads created, won, lost, reopened, moved forward or back, slipped or
changed amount, each by name with before → after, and the pipeline waterfall per currency that adds up
to the cent. Rules (README: Targets, and what moved since last week):

- The period runs from the start of ``start`` to the end of ``end``: it opens with the leads as of the
  day before ``start`` and closes with the leads as of ``end`` (``history.leads_as_of_sql``). Filtered
  to owners, a lead belongs to its owner at the end.
- Movements: *created* (not there at the start); *won*, *lost* (that status at the end, not at the
  start); *reopened* (won or lost at the start, open at the end); *moved forward* / *moved back* (open at
  both ends, the lifecycle stage of its CRM stage further / earlier; an unmapped stage is no move);
  *slipped* (open at both ends, expected close later); *amount changed* (amount or currency differs).
  The CRM's stage, not the one computed from gates: it is what a re-export changes.
- The waterfall, per currency: open value at the start + created + reopened (+ pulled in) + increases
  − decreases (− pushed out) − won − lost = open value at the end. A lead is in an open value when it
  is open, has an amount and, with a close window, is expected to close in it. Increases and decreases
  are the amount changes of leads in the opening value (a currency change: the old amount leaves its
  currency, the new one enters the other); every other step is at the lead's amount at the end. A lead
  enters by *created* (new), *reopened* (was closed), *pulled in* (open, out of the window or undated)
  or, having had no amount, *increases*; it leaves by *won*, *lost* or *pushed out* (open, out of the
  window). A lead that enters and closes in the period takes both steps.
- With a close window an open lead is placed by its expected close, a closed one by its close date.
- Listed apart, in no value: leads open at the end or closed in the period that have no amount, and
  with a window, no expected close.

Amounts are summed in whole cents, so the waterfall adds up exactly.
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass
from datetime import date, timedelta

import duckdb
import pandas as pd

from sales import memo
from sales.changes import reads, unchanged
from sales.filters import quarter_of
from sales.history import leads_as_of_sql
from sales.lifecycle import default_lifecycle
from sales.money import CURRENCY_SQL, NO_CURRENCY
from sales.rulebook import stage_index_of
from sales.tables import money
from sales.targets import next_quarter, quarter_bounds

KINDS = ("created", "won", "lost", "reopened", "moved forward", "moved back", "slipped", "amount changed")
# the waterfall's steps in order, with the sign each adds with; pulled in / pushed out only with a window
STEPS = {"created": 1, "reopened": 1, "pulled_in": 1, "increases": 1, "decreases": -1, "pushed_out": -1,
         "won": -1, "lost": -1}
WINDOW_ONLY = ("pulled_in", "pushed_out")
STEP_LABELS = {"start": "Open at the start", "created": "Created", "reopened": "Reopened", "pulled_in": "Pulled in",
               "increases": "Increases", "decreases": "Decreases", "pushed_out": "Pushed out", "won": "Won",
               "lost": "Lost", "end": "Open at the end"}
NO_AMOUNT, NO_DATE = "no amount", "no expected close"
# the CRM fields what moved reads
USED = ("name", "owner", "crm_stage", "recorded_stage", "status", "amount", "currency", "closed_on", "expected_close")
# the close windows This week offers, each of the quarter holding the period's last day
WINDOWS = {"this-quarter": "This quarter", "next-quarter": "Next quarter", "none": "Any time"}
BAR_KINDS = ("open value", "adds", "takes away")


@dataclass(frozen=True)
class Movement:
    start: date
    end: date
    close_from: date | None
    close_to: date | None
    owners: tuple[str, ...]
    moves: pd.DataFrame  # kind, id, name, owner, before, after, amount, currency (the amount at the end)
    waterfall: pd.DataFrame  # one row per currency: start, the steps, end
    steps: pd.DataFrame  # who is behind each step: step, currency, value, id, name, owner
    apart: pd.DataFrame  # id, name, owner, status, reason, amount, currency, expected_close

    @property
    def windowed(self) -> bool:
        return self.close_from is not None

    def counts(self) -> dict[str, int]:
        """Leads per kind of movement, every kind present."""
        found = self.moves["kind"].value_counts().to_dict() if len(self.moves) else {}
        return {k: int(found.get(k, 0)) for k in KINDS}

    def step_names(self) -> list[str]:
        return [s for s in STEPS if self.windowed or s not in WINDOW_ONLY]

    def bars(self, currency: str) -> pd.DataFrame:
        """The waterfall of one currency as bars: each step from where the running total was to where it
        goes (``begin`` → ``finish``), the opening and closing values from 0."""
        cols = ["position", "step", "label", "value", "begin", "finish", "kind"]
        rows = self.waterfall[self.waterfall["currency"] == currency]
        if rows.empty:
            return pd.DataFrame(columns=cols)
        row, out, running = rows.iloc[0], [], 0.0
        for i, step in enumerate(["start", *self.step_names(), "end"]):
            value = float(row[step])
            if step in ("start", "end"):
                out.append((i, step, STEP_LABELS[step], value, 0.0, value, BAR_KINDS[0]))
                running = value
            else:
                signed = STEPS[step] * value
                out.append((i, step, STEP_LABELS[step], signed, running, running + signed,
                            BAR_KINDS[1] if STEPS[step] > 0 else BAR_KINDS[2]))
                running += signed
        return pd.DataFrame(out, columns=cols)


def close_window(choice: str, day: date) -> tuple[date | None, date | None]:
    """The first and last day of a close window of ``WINDOWS`` (the quarter holding ``day``, or the next);
    (None, None) for any time."""
    if choice not in WINDOWS:
        raise ValueError(f"unknown close window {choice!r}: choose one of {', '.join(WINDOWS)}")
    if choice == "none":
        return None, None
    quarter = quarter_of(day)
    return quarter_bounds(quarter if choice == "this-quarter" else next_quarter(quarter))


def _joined_sql(start: date, end: date, close_from: date | None, close_to: date | None,
                owners: tuple[str, ...]) -> tuple[str, list]:
    """Every lead there at the end, beside itself at the start, classified once: its place in the
    opening and closing values, the step it enters and leaves by, its movements, why it is apart. And,
    per currency, the opening and closing values in cents (``part`` = 'total')."""
    s_sql, s_params = leads_as_of_sql(start - timedelta(days=1), USED)
    e_sql, e_params = leads_as_of_sql(end, USED)

    def side(x: str) -> str:
        return (f"{x}.status AS {x}_status, {x}.amount AS {x}_amount, round({x}.amount * 100)::BIGINT AS {x}_cents, "
                f"{CURRENCY_SQL.format(column=x + '.currency')} AS {x}_currency, {x}.expected_close AS {x}_expected, "
                f"{x}.recorded_stage AS {x}_stage, {x}.crm_stage AS {x}_label, "
                f"{stage_index_of(x + '.recorded_stage')} AS {x}_index, "
                f"CASE WHEN {x}.status = 'open' THEN {x}.expected_close "
                f"ELSE coalesce({x}.closed_on, {x}.expected_close) END AS {x}_when")

    sql = f"""
    WITH s AS (SELECT * FROM {s_sql}), e AS (SELECT * FROM {e_sql}),
    w AS (SELECT ?::DATE AS cf, ?::DATE AS ct),
    j AS (
        SELECT e.id, e.name, e.owner, s.id IS NOT NULL AS existed, {side('s')}, {side('e')}
        FROM e LEFT JOIN s ON s.id = e.id
        WHERE len(?::VARCHAR[]) = 0 OR list_contains(?::VARCHAR[], e.owner)),
    k AS (
        SELECT j.*, w.cf IS NOT NULL AS windowed,
               w.cf IS NULL OR coalesce(j.s_when BETWEEN w.cf AND w.ct, false) AS s_window,
               w.cf IS NULL OR coalesce(j.e_when BETWEEN w.cf AND w.ct, false) AS e_window
        FROM j, w),
    m AS (
        SELECT k.*,
               existed AND s_status = 'open' AND s_amount IS NOT NULL AND s_window AS in_start,
               e_status = 'open' AND e_amount IS NOT NULL AND e_window AS in_end,
               e_status <> 'open' AND e_status IS DISTINCT FROM s_status AS closed_now,
               existed AND (s_amount IS DISTINCT FROM e_amount
                            OR (s_currency <> e_currency AND coalesce(s_amount, e_amount) IS NOT NULL))
                   AS amount_changed
        FROM k),
    f AS (
        SELECT m.*, NOT in_start AND e_amount IS NOT NULL AND (in_end OR (closed_now AND e_window)) AS enters
        FROM m),
    c AS (
        SELECT f.*,
               CASE WHEN enters THEN CASE WHEN NOT existed THEN 'created' WHEN s_status <> 'open' THEN 'reopened'
                                          WHEN windowed AND NOT s_window THEN 'pulled_in' ELSE 'increases' END
               END AS entry,
               CASE WHEN (in_start OR enters) AND NOT in_end AND e_amount IS NOT NULL
                    THEN CASE WHEN closed_now THEN e_status ELSE 'pushed_out' END END AS exit,
               CASE WHEN e_status = 'open' OR closed_now
                    THEN CASE WHEN e_amount IS NULL THEN '{NO_AMOUNT}'
                              WHEN windowed AND e_when IS NULL THEN '{NO_DATE}' END END AS apart,
               NOT existed AS created,
               e_status = 'won' AND s_status IS DISTINCT FROM 'won' AS won,
               e_status = 'lost' AND s_status IS DISTINCT FROM 'lost' AS lost,
               existed AND s_status <> 'open' AND e_status = 'open' AS reopened,
               coalesce(existed AND s_status = 'open' AND e_status = 'open' AND e_index > s_index, false)
                   AS moved_forward,
               coalesce(existed AND s_status = 'open' AND e_status = 'open' AND e_index < s_index, false)
                   AS moved_back,
               coalesce(existed AND s_status = 'open' AND e_status = 'open' AND e_expected > s_expected, false)
                   AS slipped
        FROM f)
    SELECT 'lead' AS part, * EXCLUDE (s_window, e_window, windowed) FROM c
    WHERE entry IS NOT NULL OR exit IS NOT NULL OR apart IS NOT NULL OR amount_changed OR created OR won OR lost
       OR reopened OR moved_forward OR moved_back OR slipped
    UNION ALL BY NAME
    SELECT 'total' AS part, currency, sum(start_cents)::BIGINT AS start_cents, sum(end_cents)::BIGINT AS end_cents
    FROM (SELECT s_currency AS currency, s_cents AS start_cents, 0 AS end_cents FROM c WHERE in_start
          UNION ALL SELECT e_currency, 0, e_cents FROM c WHERE in_end)
    GROUP BY currency"""  # noqa: S608 (generated from fixed names; every value is bound)
    # in the order of the placeholders: the two snapshots, the window, each side's currency, the owners
    params = [*s_params, *e_params, close_from, close_to, NO_CURRENCY, NO_CURRENCY, list(owners), list(owners)]
    return sql, params


def _money(amount, currency: str) -> str:
    """An amount as people read it (``tables.money``: no cents from 1,000 on, or when there are none), then its
    currency."""
    return NO_AMOUNT if amount is None else f"{money(float(amount))} {currency}"


def _state(status, stage, label, names: dict[str, str]) -> str:
    """Where a lead stood: won or lost, else the lifecycle stage its CRM stage maps to, else the CRM's label."""
    if status in ("won", "lost"):
        return status
    return names.get(stage) or label or "no stage"


def _day(value) -> str:
    return "" if value is None else value.isoformat()


def _moves(rows: list) -> pd.DataFrame:
    """One row per lead and kind of movement, before → after in words."""
    names = {s.key: s.name for s in default_lifecycle().stages}
    out = []
    for r in rows:
        start = _state(r.s_status, r.s_stage, r.s_label, names) if r.existed else ""
        end = _state(r.e_status, r.e_stage, r.e_label, names)
        said = {
            "created": ("", end),
            "won": (start, end), "lost": (start, end), "reopened": (start, end),
            "moved forward": (start, end), "moved back": (start, end),
            "slipped": (_day(r.s_expected), _day(r.e_expected)),
            "amount changed": (_money(r.s_amount, r.s_currency), _money(r.e_amount, r.e_currency)),
        }
        for kind in KINDS:
            if getattr(r, kind.replace(" ", "_")):
                out.append((KINDS.index(kind), kind, r.id, r.name, r.owner, *said[kind], r.e_amount, r.e_currency))
    out.sort(key=lambda m: (m[0], m[3] or "", m[2]))
    return pd.DataFrame([m[1:] for m in out],
                        columns=["kind", "id", "name", "owner", "before", "after", "amount", "currency"])


def _lead_steps(rows: list) -> list[tuple]:
    """(step, currency, cents, lead) for every step a lead takes."""
    out = []
    for r in rows:
        lead = (r.id, r.name, r.owner)
        end_cents = r.e_cents or 0
        if r.in_start and r.amount_changed:
            if r.s_currency == r.e_currency:
                change = end_cents - r.s_cents
                if change:
                    out.append(("increases" if change > 0 else "decreases", r.s_currency, abs(change), lead))
            else:  # the old amount leaves its currency, the new one enters the other
                out.append(("decreases", r.s_currency, r.s_cents, lead))
                if end_cents:
                    out.append(("increases", r.e_currency, end_cents, lead))
        if r.entry:
            out.append((r.entry, r.e_currency, end_cents, lead))
        if r.exit:
            out.append((r.exit, r.e_currency, end_cents, lead))
    return out


@reads("leads", "lead_updates", "import_batches")
def movement(cur: duckdb.DuckDBPyConnection, start: date, end: date, close_from: date | None = None,
             close_to: date | None = None, owners: tuple[str, ...] = ()) -> Movement:
    """What moved from the start of ``start`` to the end of ``end`` (``owners``' leads, everyone's when
    empty); with ``close_from`` and ``close_to``, the waterfall of the leads expected to close then."""
    if start > end:
        raise ValueError(f"the period starts ({start}) after it ends ({end})")
    if (close_from is None) != (close_to is None):
        raise ValueError("a close window needs both its first and its last day")
    if close_from is not None and close_from > close_to:
        raise ValueError(f"the close window starts ({close_from}) after it ends ({close_to})")
    args = (start, end, close_from, close_to, tuple(owners))  # shared while what it reads is the same (memo.value):
    return memo.value(cur, "movement", args, lambda c: _moved(c, *args),  # This week and the digest ask too
                      same=unchanged(*movement.reads))


def _moved(cur: duckdb.DuckDBPyConnection, start: date, end: date, close_from: date | None, close_to: date | None,
           owners: tuple[str, ...]) -> Movement:
    sql, params = _joined_sql(start, end, close_from, close_to, tuple(owners))
    result = cur.execute(sql, params)
    row = namedtuple("Row", [d[0] for d in result.description])
    fetched = [row(*r) for r in result.fetchall()]
    leads = [r for r in fetched if r.part == "lead"]
    lead_steps = _lead_steps(leads)
    names = [s for s in STEPS if close_from is not None or s not in WINDOW_ONLY]
    totals = [r for r in fetched if r.part == "total"]
    currencies = sorted({r.currency for r in totals} | {c for _, c, _, _ in lead_steps})
    cents = {c: dict.fromkeys(["start", *names, "end"], 0) for c in currencies}
    for r in totals:
        cents[r.currency]["start"], cents[r.currency]["end"] = r.start_cents, r.end_cents
    for step, currency, amount, _ in lead_steps:
        cents[currency][step] += amount
    for currency, c in cents.items():  # whole cents: the identity holds exactly, or the rules are broken
        if c["start"] + sum(STEPS[s] * c[s] for s in names) != c["end"]:
            raise AssertionError(f"the {currency} waterfall does not add up: {c}")
    waterfall = pd.DataFrame([{"currency": code, **{k: v / 100 for k, v in c.items()}} for code, c in cents.items()],
                             columns=["currency", "start", *names, "end"])
    order = list(STEPS)
    lead_steps.sort(key=lambda s: (s[1], order.index(s[0]), -s[2], s[3][1] or "", s[3][0]))
    steps = pd.DataFrame([(s, c, v / 100, *lead) for s, c, v, lead in lead_steps],
                         columns=["step", "currency", "value", "id", "name", "owner"])
    apart = sorted((r for r in leads if r.apart), key=lambda r: (r.apart, r.name or "", r.id))
    apart = pd.DataFrame([(r.id, r.name, r.owner, r.e_status, r.apart, r.e_amount, r.e_currency, r.e_expected)
                          for r in apart],
                         columns=["id", "name", "owner", "status", "reason", "amount", "currency", "expected_close"])
    return Movement(start, end, close_from, close_to, tuple(owners), _moves(leads), waterfall, steps, apart)
