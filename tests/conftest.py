"""Shared fixtures: a fresh store per test, and the demo store built once per session."""

import os
import sys
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit import config as st_config  # noqa: E402

from sales.access import Actor  # noqa: E402
from sales.demo import write_demo  # noqa: E402
from sales.store import Store  # noqa: E402

ANCHOR = date(2026, 11, 24)
ADMIN = Actor("admin@agency.example", "admin")
BIZDEV = Actor("bizdev@agency.example", "bizdev")
VIEWER = Actor("viewer@agency.example", "viewer")
# exchange rates the tests' hand-worked figures use, whatever an admin keeps in data/currencies.toml
os.environ["SALES_CURRENCIES"] = str(ROOT / "tests" / "fixtures" / "currencies.toml")
# page tests run in local mode, which serves the loopback interface only
st_config.set_option("server.address", "127.0.0.1")
# and without sign-in, whatever secrets the developer's machine holds (sign-in: tests/browser)
st_config.set_option("secrets.files", [str(ROOT / "tests" / "no-secrets.toml")])


@pytest.fixture
def shared_memo():
    """The dashboard's keeping (``memo.share``) for one test, as it was after."""
    from sales import memo

    was = memo.shared()
    memo.share()
    yield
    if was:
        memo.share()
    else:
        memo._SHARED.clear()


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "test.duckdb") as s:
        yield s


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """A small demo store file (the default scale) shared read-only by page tests."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    with Store(path) as s:
        write_demo(s, ADMIN, anchor=ANCHOR)
    return path
