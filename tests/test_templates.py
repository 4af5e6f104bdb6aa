"""The canonical templates: in sync with the rubric and lifecycle, and importable as they are."""

import pytest

from sales.ingest import import_file
from sales.lifecycle import default_lifecycle
from sales.rubric import default_rubric
from sales.templates import TEMPLATE_DIR, leads_header, templates
from tests.conftest import ADMIN, ROOT


@pytest.mark.parametrize("name", ["leads.csv", "time_entries.csv", "budgets.csv"])
def test_shipped_templates_match_the_generated_ones(name):
    assert (TEMPLATE_DIR / name).read_text(encoding="utf-8") == templates()[name], \
        "run: python -c 'from sales.templates import write_templates; write_templates()'"


def test_leads_template_carries_every_factor_and_gate_criterion():
    header = leads_header()
    assert set(default_rubric().keys) <= set(header)
    assert {f"{k}_comment" for k in default_rubric().keys} <= set(header)
    assert {c.fact for s in default_lifecycle().stages for c in s.gate} <= set(header)


@pytest.mark.parametrize("name, fmt, kind", [
    ("leads.csv", "canonical-leads", "leads"),
    ("time_entries.csv", "canonical-time", "time"),
    ("budgets.csv", "canonical-budgets", "budgets"),
])
def test_templates_import_cleanly(store, name, fmt, kind):
    r = import_file(store, ADMIN, TEMPLATE_DIR / name)
    assert (r.format, r.kind, r.imported, r.rejected) == (fmt, kind, 1, 0)


def test_readme_documents_every_canonical_column():
    readme = (ROOT / "README.md").read_text()
    for column in leads_header() + ["date", "person", "hours", "effective_month", "monthly_hours"]:
        assert f"`{column}`" in readme, column


def test_readme_lists_every_preset():
    from sales.ingest.presets import KIMAI_LANGUAGES, PRESETS

    readme = (ROOT / "README.md").read_text()
    table = readme[readme.index("| kind | preset (`--format`) |"):readme.index("Any other layout")]
    for fmt in PRESETS:
        assert f"`{fmt.name}`" in table, fmt.name
    kimai = next(line for line in table.splitlines() if "`kimai`" in line)
    assert len(KIMAI_LANGUAGES) == 44
    assert all(name in kimai for name in KIMAI_LANGUAGES.values())
