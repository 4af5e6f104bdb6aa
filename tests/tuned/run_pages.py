"""Run every page and report on a hand-made store under the rubric and lifecycle named by SALES_RUBRIC and
SALES_LIFECYCLE (a fresh process: the files are read once per process). Prints what each page showed as JSON."""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from streamlit import config as st_config  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from sales.filters import Filters  # noqa: E402
from sales.report import REPORTS, render  # noqa: E402
from sales.store import Store  # noqa: E402
from tests.pipeline_store import build  # noqa: E402

PAGES = {"overview": {}, "week": {}, "priorities": {"lead": "2"}, "funnel": {}, "budget": {}, "whatif": {"lead": "2"},
         "workbench": {"lead": "2"}, "upload": {}, "reference": {}, "people": {}, "audit": {}}


def main(db: str) -> None:
    import os
    from datetime import date

    st_config.set_option("server.address", "127.0.0.1")
    st_config.set_option("client.showErrorDetails", "full")  # the test names the error
    st_config.set_option("secrets.files", [str(ROOT / "tests" / "no-secrets.toml")])
    with Store(db) as s:
        build(s)
        reports = {name: render(fn(s.cursor(), Filters(date(2026, 1, 1), date(2026, 4, 30)), date(2026, 4, 30)),
                                "json") for name, fn in REPORTS.items()}
    os.environ["SALES_DB"] = db
    shown = {}
    for name, params in PAGES.items():
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.query_params.update({"from": "2026-01-01", "to": "2026-04-30", **params})
        at.run()
        if name != "overview":
            at.switch_page(f"pages/{name}.py").run()
        text = [e.value for kind in ("title", "subheader", "metric", "markdown", "caption", "info", "warning",
                                     "success", "error") for e in getattr(at, kind) if isinstance(e.value, str)]
        text += [m.label for m in at.metric]
        text += [str(d.value.to_dict("list")) for d in at.dataframe]
        shown[name] = {"exception": [str(e.value) for e in at.exception], "text": " ".join(text)}
    print(json.dumps({"pages": shown, "reports": {k: json.loads(v) for k, v in reports.items()}}))


if __name__ == "__main__":
    main(sys.argv[1])
