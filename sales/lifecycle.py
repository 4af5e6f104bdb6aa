"""The customer lifecycle: eight stages, each closed by a gate of named criteria.

A lead's stage is computed from facts, never trusted from the CRM: the CRM's recorded
stage is compared against it and any lead recorded ahead of its gates is flagged. This module reads
the lifecycle and declares the derived facts (DERIVED); sales/rulebook.py turns both into the one
SQL that judges every lead.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from sales.paths import DATA_DIR
from sales.tomlvalues import number, whole

DEFAULT_LIFECYCLE = DATA_DIR / "lifecycle.toml"


class LifecycleError(ValueError):
    """The lifecycle file or a classification input is unusable."""


@dataclass(frozen=True)
class DerivedFact:
    """A gate fact computed from evidence rather than ticked: declared once, here, and turned into SQL by
    sales/rulebook.py for every page, report and the workbench alike.

    ``evidence`` is a DuckDB expression over the lead's latest assessment (``a.score``, ``a.previous_score``,
    ``a.qualifies``: its category passes the rubric's gate), its columns (``l.pricing``) and the latest
    recorded value of other facts (``fx.<fact>``, each named in ``reads``); NULL when there is no evidence.
    Where there is none, a value recorded for the fact itself (imported or ticked) counts; with
    ``recorded_wins``, such a value stands over the evidence too, and the fact can be ticked on the workbench."""

    fact: str
    evidence: str
    reads: tuple[str, ...] = ()
    recorded_wins: bool = False


DERIVED = (
    # the latest assessment's category passes the rubric's gate (``qualifies`` in data/rubric.toml)
    DerivedFact("scored_high_or_medium", "a.qualifies"),
    # the latest score is at least the one before (one assessment: nothing has fallen)
    DerivedFact("score_not_falling",
                "CASE WHEN a.score IS NOT NULL THEN a.previous_score IS NULL OR a.score >= a.previous_score END"),
    # fixed price: the project is complete; hourly: a month of work is done; pricing unknown: either
    DerivedFact("delivery_milestone",
                "CASE l.pricing WHEN 'fixed' THEN coalesce(fx.project_complete, false) "
                "WHEN 'hourly' THEN coalesce(fx.month_of_work_done, false) "
                "ELSE CASE WHEN fx.project_complete OR fx.month_of_work_done THEN true END END",
                reads=("project_complete", "month_of_work_done"), recorded_wins=True),
)
DERIVED_FACTS = {d.fact: d for d in DERIVED}


@dataclass(frozen=True)
class Criterion:
    fact: str
    label: str
    required_if: str | None = None

    @property
    def derived(self) -> bool:
        """Computed from evidence (DERIVED) rather than ticked by hand."""
        return self.fact in DERIVED_FACTS

    @property
    def tickable(self) -> bool:
        """Whether a person may tick it on the workbench: every fact but those only evidence decides."""
        return not self.derived or DERIVED_FACTS[self.fact].recorded_wins


@dataclass(frozen=True)
class Stage:
    key: str
    name: str
    purpose: str
    gate: tuple[Criterion, ...]
    win_probability: float | None = None  # used while the store's history is too thin to learn it
    stuck_after_days: int | None = None  # an open lead longer in the stage is stuck; None: never


@dataclass(frozen=True)
class ForecastRules:
    """How the forecast learns and splits: see the [forecast] table of data/lifecycle.toml."""

    commit: float = 0.7
    best_case: float = 0.4
    prior_strength: float = 10.0
    min_history: int = 30
    quarter_target: float | None = None  # in the reporting currency


@dataclass(frozen=True)
class Lifecycle:
    stages: tuple[Stage, ...]
    forecast: ForecastRules = ForecastRules()

    def index(self, stage_key: str) -> int:
        for i, s in enumerate(self.stages):
            if s.key == stage_key:
                return i
        raise LifecycleError(f"unknown stage {stage_key!r}; known: {[s.key for s in self.stages]}")

    @property
    def facts(self) -> tuple[str, ...]:
        """Every fact a gate reads, in stage order (conditions included)."""
        out: list[str] = []
        for s in self.stages:
            for c in s.gate:
                for name in (c.fact, c.required_if):
                    if name and name not in out:
                        out.append(name)
        return tuple(out)

    @property
    def recorded_facts(self) -> tuple[str, ...]:
        """Every fact a lead can have recorded: those the gates read, and the evidence derived ones read."""
        return tuple(dict.fromkeys((*self.facts, *(f for d in DERIVED if d.fact in self.facts for f in d.reads))))

    def criterion(self, fact: str) -> Criterion | None:
        """The first gate criterion about ``fact``, or None."""
        return next((c for s in self.stages for c in s.gate if c.fact == fact), None)


@dataclass(frozen=True)
class GateViolation:
    """The CRM records the lead further along than its gates allow."""

    recorded: Stage
    allowed: Stage
    unmet: tuple[Criterion, ...]  # every unmet criterion between allowed and recorded


@dataclass(frozen=True)
class Classification:
    stage: Stage
    index: int  # 0-based position in the lifecycle
    unmet: tuple[Criterion, ...]  # criteria of this stage's gate still to meet
    complete: bool  # every gate, the last included, is met
    status: str = "open"
    violation: GateViolation | None = None
    met: tuple[Criterion, ...] = field(default=())
    facts: Mapping[str, object] = field(default_factory=dict, compare=False)  # what the gates were judged on
    # per stage, per criterion of its gate: (applies, met), as sales/rulebook.py judged them
    checks: tuple[tuple[tuple[bool, bool], ...], ...] = field(default=(), compare=False)


def parse_lifecycle(doc: Mapping) -> Lifecycle:
    stages = []
    for i, raw in enumerate(doc.get("stage", [])):
        for name in ("key", "name", "gate"):
            if name not in raw:
                raise LifecycleError(f"stage #{i + 1}: missing '{name}'")
        where = f"stage '{raw['key']}'"
        if not re.fullmatch(r"[a-z][a-z0-9_]*", str(raw["key"])):
            raise LifecycleError(f"stage #{i + 1}: key {raw['key']!r} must be lower_snake_case")
        if not isinstance(raw["name"], str) or not raw["name"].strip():
            raise LifecycleError(f"{where}: name must be text")
        for j, c in enumerate(raw["gate"]):
            for name in ("fact", "label"):
                if not isinstance(c.get(name), str) or not c[name].strip():
                    raise LifecycleError(f"{where}, gate criterion #{j + 1}: '{name}' must be text")
        for c in raw["gate"]:  # older files marked the computed facts; they are declared in DERIVED now
            if "derived" in c and c["derived"] is not (c["fact"] in DERIVED_FACTS):
                raise LifecycleError(f"{where}: '{c['fact']}' is {'' if c['fact'] in DERIVED_FACTS else 'not '}"
                                     "computed (sales/lifecycle.py, DERIVED): remove its 'derived'")
        gate = tuple(Criterion(c["fact"], c["label"], c.get("required_if")) for c in raw["gate"])
        for c in gate:  # facts become SQL column names in the dashboards' generated queries
            for name in (c.fact, c.required_if):
                if name is not None and not re.fullmatch(r"[a-z][a-z0-9_]*", name):
                    raise LifecycleError(f"stage '{raw['key']}': fact {name!r} must be lower_snake_case")
        if not gate:
            raise LifecycleError(f"stage '{raw['key']}' has an empty gate")
        stages.append(Stage(raw["key"], raw["name"], raw.get("purpose", ""), gate, *_stage_limits(raw, where)))
    if not stages:
        raise LifecycleError("lifecycle has no [[stage]] entries")
    keys, names = [s.key for s in stages], [s.name for s in stages]
    if len(set(keys)) != len(keys):
        raise LifecycleError(f"duplicate stage keys in {keys}")
    if len(set(names)) != len(names):
        raise LifecycleError(f"duplicate stage names in {names}")
    return Lifecycle(tuple(stages), _forecast_rules(doc.get("forecast", {})))


def _stage_limits(raw: Mapping, where: str) -> tuple[float | None, int | None]:
    p, days = raw.get("win_probability"), raw.get("stuck_after_days")
    if p is not None and not number(p, 0, 1):
        raise LifecycleError(f"{where}: win_probability must be a number from 0 to 1, got {p!r}")
    if days is not None and not whole(days, least=1):
        raise LifecycleError(f"{where}: stuck_after_days must be a whole number of days, 1 or more, got {days!r}")
    return (None if p is None else float(p)), days


def _forecast_rules(raw: Mapping) -> ForecastRules:
    known = set(ForecastRules.__dataclass_fields__)
    unknown = sorted(set(raw) - known)
    if unknown:
        raise LifecycleError(f"[forecast]: unknown setting {unknown[0]!r}; known: {sorted(known)}")
    rules = ForecastRules(**raw)
    for name in ("commit", "best_case"):
        if not number(getattr(rules, name), 0, 1):
            raise LifecycleError(f"[forecast]: {name} must be a number from 0 to 1")
    if rules.best_case > rules.commit:
        raise LifecycleError("[forecast]: best_case must not be above commit")
    if not number(rules.prior_strength, least=0):
        raise LifecycleError("[forecast]: prior_strength must be a number, 0 or more")
    if not whole(rules.min_history, least=0):
        raise LifecycleError("[forecast]: min_history must be a whole number, 0 or more")
    if rules.quarter_target is not None and not number(rules.quarter_target, least=0):
        raise LifecycleError("[forecast]: quarter_target must be an amount, 0 or more")
    return rules


def load_lifecycle(path: Path | str = DEFAULT_LIFECYCLE) -> Lifecycle:
    path = Path(path)
    try:
        return parse_lifecycle(tomllib.loads(path.read_text(encoding="utf-8")))
    except (OSError, tomllib.TOMLDecodeError, LifecycleError, KeyError) as e:
        raise LifecycleError(f"{path}: {e}") from e


@cache
def default_lifecycle() -> Lifecycle:
    """The lifecycle in force: ``SALES_LIFECYCLE`` when set, else data/lifecycle.toml."""
    return load_lifecycle(os.environ.get("SALES_LIFECYCLE") or DEFAULT_LIFECYCLE)
