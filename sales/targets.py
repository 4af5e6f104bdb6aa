"""Quarter targets, per lead owner and for the team, and which one a forecast is compared with.

Rules (README: Targets, and what moved since last week):

- A target is an amount for one quarter (``2026-Q4``) for one lead owner (the owner name the leads carry,
  as the CRM exports it) or for the team. It is kept with the reporting currency of data/currencies.toml
  at the moment it is set; read under another reporting currency it is converted at the file's rates,
  and left out (and named) when no rate applies.
- The team's target for a quarter is, first found: the team target set for it; the sum of the owners'
  targets set for it; ``[forecast] quarter_target`` of data/lifecycle.toml (when above 0); none.
- A forecast is compared with the target of the same leads (``target_for``): everyone's leads with the
  team's; one owner's with that owner's own (none when not set); several owners' with the sum of those
  set (none when none is).
- Setting or clearing a target is an admin's write (the ``targets`` action, read again inside the
  transaction) and adds an audit row. An owner name that no lead and no grant carries is refused unless
  ``new_owner`` says it is a person whose leads are still to come: a typo is not a new person.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime

import duckdb
import pandas as pd

from sales import audit
from sales.access import Actor, authorise
from sales.lifecycle import default_lifecycle
from sales.money import Currencies, default_currencies
from sales.store import Store

_QUARTER = re.compile(r"\s*(\d{4})-?[Qq]([1-4])\s*")


def parse_quarter(text: str) -> str:
    """``2026-Q4`` (also ``2026-q4``, ``2026Q4``) as pages and reports name it; ValueError otherwise."""
    m = _QUARTER.fullmatch(str(text))
    if not m:
        raise ValueError(f"{text!r} is not a quarter: write it as 2026-Q4")
    return f"{m.group(1)}-Q{m.group(2)}"


def quarter_bounds(quarter: str) -> tuple[date, date]:
    """The first and last day of a quarter."""
    q = parse_quarter(quarter)
    year, n = int(q[:4]), int(q[-1])
    first = date(year, 3 * n - 2, 1)
    last = date(year + 1, 1, 1) if n == 4 else date(year, 3 * n + 1, 1)
    return first, date.fromordinal(last.toordinal() - 1)


def next_quarter(quarter: str) -> str:
    q = parse_quarter(quarter)
    year, n = int(q[:4]), int(q[-1])
    return f"{year + 1}-Q1" if n == 4 else f"{year}-Q{n + 1}"


@dataclass(frozen=True)
class Target:
    """The target a forecast is compared with, in the reporting currency, and where it comes from."""

    amount: float | None  # None: no target to compare with
    currency: str
    basis: str  # in words, for the page and the digest
    left_out: tuple[str, ...] = ()  # owners (or "team") whose target is in a currency with no rate


def amount_of(value) -> float:
    """A number, 0 or more; text without separators (120000 or 120000.50: a comma could be either)."""
    try:
        amount = float(value.replace(" ", "").replace("_", "")) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{value!r} is not an amount: write it as 120000 or 120000.50") from None
    if not math.isfinite(amount) or amount < 0:
        raise ValueError(f"a target must be an amount, 0 or more, not {value!r}")
    return amount


def _who(owner: str | None) -> str:
    return "the team" if owner is None else owner


def _money(amount: float | None, currency: str | None) -> str | None:
    return None if amount is None else f"{amount:,.0f} {currency}"


def said(quarter: str, owner: str | None, amount: float | None, before: float | None) -> str:
    """A change of target in one sentence, for the page and the command line (``amount`` None: cleared)."""
    was = f" (was {before:,.0f})" if before is not None else ""
    if amount is None:
        return f"{parse_quarter(quarter)} target of {_who(owner)} cleared{was}"
    return f"{parse_quarter(quarter)} target of {_who(owner)}: {amount:,.0f} {default_currencies().reporting}{was}"


def _held(cur: duckdb.DuckDBPyConnection, quarter: str, owner: str | None) -> tuple[float, str] | None:
    rows = cur.execute("""SELECT amount, currency FROM sales_targets
                          WHERE quarter = ? AND owner IS NOT DISTINCT FROM ?""", [quarter, owner]).fetchall()
    return rows[0] if rows else None


def known_owner(cur: duckdb.DuckDBPyConnection, owner: str) -> bool:
    """Whether a lead or a person's grant carries this owner name (exactly, as the CRM writes it)."""
    return bool(cur.execute("""SELECT 1 FROM leads WHERE owner = ? UNION ALL
                               SELECT 1 FROM access_grants WHERE crm_owner = ? LIMIT 1""", [owner, owner]).fetchall())


def owner_names(cur: duckdb.DuckDBPyConnection) -> list[str]:
    """The owner names a target can be set for: those on the leads and those recorded for people's grants."""
    return [r[0] for r in cur.execute("""SELECT owner FROM leads WHERE owner IS NOT NULL UNION
                                         SELECT crm_owner FROM access_grants WHERE crm_owner IS NOT NULL
                                         ORDER BY 1""").fetchall()]


def set_target(store: Store, actor: Actor, quarter: str, amount, owner: str | None = None,
               new_owner: bool = False) -> float | None:
    """Set the quarter's target of ``owner`` (None: the team's own) in the reporting currency; returns the
    amount it replaced, if any."""
    actor.require("targets")
    quarter, amount = parse_quarter(quarter), amount_of(amount)
    owner = None if owner is None else " ".join(str(owner).split()) or None
    currency = default_currencies().reporting
    with store.transaction() as cur:
        authorise(cur, actor, "targets")
        if owner is not None and not new_owner and not known_owner(cur, owner):
            raise ValueError(f"no lead has the owner {owner!r}: check the spelling as the CRM writes it, or "
                             "set it as a new owner (--new-owner) for someone whose leads are still to come")
        before = _held(cur, quarter, owner)
        cur.execute("DELETE FROM sales_targets WHERE quarter = ? AND owner IS NOT DISTINCT FROM ?", [quarter, owner])
        cur.execute("""INSERT INTO sales_targets (quarter, owner, amount, currency, set_by, set_at)
                       VALUES (?, ?, ?, ?, ?, ?)""", [quarter, owner, amount, currency, actor.identity, datetime.now()])
        audit.record(cur, actor, "target", f"{quarter} target of {_who(owner)}",
                     before=_money(*before) if before else None, after=_money(amount, currency))
    return before[0] if before else None


def clear_target(store: Store, actor: Actor, quarter: str, owner: str | None = None) -> float:
    """Remove the quarter's target of ``owner`` (None: the team's own); returns the amount it was."""
    actor.require("targets")
    quarter = parse_quarter(quarter)
    with store.transaction() as cur:
        authorise(cur, actor, "targets")
        before = _held(cur, quarter, owner)
        if before is None:
            raise ValueError(f"{_who(owner)} has no target set for {quarter}")
        cur.execute("DELETE FROM sales_targets WHERE quarter = ? AND owner IS NOT DISTINCT FROM ?", [quarter, owner])
        audit.record(cur, actor, "target", f"{quarter} target of {_who(owner)}", before=_money(*before), after=None)
    return before[0]


def targets(cur: duckdb.DuckDBPyConnection, quarter: str | None = None) -> pd.DataFrame:
    """The targets set, per quarter: the team's own first, then the owners' by name."""
    q = parse_quarter(quarter) if quarter else None
    return cur.execute("""SELECT quarter, owner, owner IS NULL AS team, amount, currency, set_by, set_at
                          FROM sales_targets WHERE ?::VARCHAR IS NULL OR quarter = ?
                          ORDER BY quarter, owner NULLS FIRST""", [q, q]).df()


def _converted(rows, currencies: Currencies) -> tuple[dict, list[str]]:
    """{owner: amount in the reporting currency}, and who was left out for want of a rate."""
    out, left = {}, []
    for owner, amount, currency in rows:
        factor = currencies.factor(currency)
        if factor is None:
            left.append(_who(owner))
        else:
            out[owner] = amount * factor
    return out, left


def owner_targets(cur: duckdb.DuckDBPyConnection, quarter: str,
                  currencies: Currencies | None = None) -> tuple[dict[str, float], list[str]]:
    """Each owner's target for the quarter in the reporting currency, and who was left out (no rate)."""
    rows = cur.execute("SELECT owner, amount, currency FROM sales_targets WHERE quarter = ? AND owner IS NOT NULL",
                       [parse_quarter(quarter)]).fetchall()
    return _converted(rows, currencies or default_currencies())


def team_target(cur: duckdb.DuckDBPyConnection, quarter: str, currencies: Currencies | None = None) -> Target:
    """The team's target: its own, else the owners' sum, else data/lifecycle.toml's, else none."""
    currencies = currencies or default_currencies()
    quarter = parse_quarter(quarter)
    own, left = _converted(cur.execute("""SELECT owner, amount, currency FROM sales_targets
                                          WHERE quarter = ? AND owner IS NULL""", [quarter]).fetchall(), currencies)
    if None in own:
        return Target(own[None], currencies.reporting, f"the team's target for {quarter}")
    owners, left_owners = owner_targets(cur, quarter, currencies)
    if owners:
        return Target(sum(owners.values()), currencies.reporting,
                      f"the sum of {len(owners)} owners' targets for {quarter}", tuple(left + left_owners))
    fallback = default_lifecycle().forecast.quarter_target
    if fallback:
        return Target(float(fallback), currencies.reporting, "[forecast] quarter_target in data/lifecycle.toml",
                      tuple(left + left_owners))
    return Target(None, currencies.reporting, f"no target set for {quarter}", tuple(left + left_owners))


def target_for(cur: duckdb.DuckDBPyConnection, quarter: str, owners: tuple[str, ...] = (),
               currencies: Currencies | None = None) -> Target:
    """The target to compare the forecast of ``owners``' leads with (everyone's when empty)."""
    currencies = currencies or default_currencies()
    if not owners:
        return team_target(cur, quarter, currencies)
    quarter = parse_quarter(quarter)
    held, left = owner_targets(cur, quarter, currencies)
    mine = {o: held[o] for o in owners if o in held}
    left = tuple(o for o in left if o in owners)
    if not mine:
        return Target(None, currencies.reporting, f"no target set for {', '.join(owners)} for {quarter}", left)
    if len(owners) == 1:
        return Target(mine[owners[0]], currencies.reporting, f"{owners[0]}'s target for {quarter}")
    missing = [o for o in owners if o not in mine]
    return Target(sum(mine.values()), currencies.reporting,
                  f"the sum of {', '.join(mine)}'s targets for {quarter}"
                  + (f" ({', '.join(missing)}: none set)" if missing else ""), left)
