"""Where the project's files live, so every module agrees on them."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"


def default_db_path() -> Path:
    """The store file: ``SALES_DB`` when set, else ``data/sales.duckdb``."""
    return Path(os.environ.get("SALES_DB") or DATA_DIR / "sales.duckdb")
