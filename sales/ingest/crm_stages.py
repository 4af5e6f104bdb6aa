"""CRM stage labels → lifecycle stages and statuses, through data/stage_map.toml (a table per CRM and a
default one); a label that is a lifecycle stage's key or name maps to that stage."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sales.ingest.formats import norm
from sales.lifecycle import default_lifecycle
from sales.paths import DATA_DIR

DEFAULT_STAGE_MAP = DATA_DIR / "stage_map.toml"


@dataclass(frozen=True)
class StageTarget:
    stage: str | None
    status: str | None


@cache
def load_stage_map(path: Path = DEFAULT_STAGE_MAP) -> dict[str, dict[str, StageTarget]]:
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    stage_keys = {s.key for s in default_lifecycle().stages}
    out: dict[str, dict[str, StageTarget]] = {}
    for section, labels in doc.items():
        table = {}
        for label, target in labels.items():
            t = StageTarget(target, None) if isinstance(target, str) else StageTarget(target.get("stage"),
                                                                                      target.get("status"))
            if t.stage is not None and t.stage not in stage_keys:
                raise ValueError(f"{path.name}: [{section}] {label!r} → unknown stage {t.stage!r}")
            table[norm(label)] = t
        out[section] = table
    return out


def map_stage(label: str | None, fmt: str) -> StageTarget | None:
    """A CRM label → lifecycle stage and status; None when no table knows it."""
    if not label:
        return None
    tables = load_stage_map()
    key = norm(label)
    for section in (fmt, "default"):
        if key in tables.get(section, {}):
            return tables[section][key]
    if key in {norm(s.key) for s in default_lifecycle().stages} | {norm(s.name) for s in default_lifecycle().stages}:
        stage = next(s.key for s in default_lifecycle().stages if key in (norm(s.key), norm(s.name)))
        return StageTarget(stage, None)
    return None
