"""``python -m sales score``: column matching, output columns, bad input and no partial output."""

import csv
import subprocess
import sys

import pytest

from tests.conftest import ROOT

HEADER = "Lead,People profile,need,BUDGET,contract_type,Prestige,Market niche,Internal positive bias"


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "sales", "score", *map(str, args)], cwd=cwd or ROOT,
                          capture_output=True, text=True)


def read(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_scores_handbook_leads(tmp_path):
    src = tmp_path / "leads.csv"
    src.write_text(HEADER + "\nHedera,1,1,2,2,2,2,2\nAffogato,2,1,1,1,1,0,1\nBrown,0,,0,0,0,0,2\n")
    out = tmp_path / "out.csv"
    r = run(src, "-o", out)
    assert r.returncode == 0, r.stderr
    rows = read(out)
    assert [(x["Lead"], x["score"], x["score_max"], x["category"], x["unknown_factors"]) for x in rows] == [
        ("Hedera", "24", "24", "High", ""), ("Affogato", "14", "14", "Medium", ""), ("Brown", "4", "8", "Low", "need")]
    assert list(rows[0])[:8] == HEADER.split(",")  # input columns kept, in order
    assert "scored 3 leads: 1 High, 1 Medium, 1 Low" in r.stderr


@pytest.mark.parametrize("text, delimiter", [
    ("\ufeff" + HEADER + "\nA,2,2,2,2,2,2,2\n", ","),          # Excel's BOM
    (HEADER.replace(",", ";") + "\nA;2;2;2;2;2;2;2\n", ";"),   # European Excel
    (HEADER.replace(",", "\t") + "\nA\t2\t2\t2\t2\t2\t2\t2\n", "\t"),
    (HEADER + "\r\nA,2,2,2,2,2,2,2\r\n", ","),                 # Windows line ends
])
def test_dialects(tmp_path, text, delimiter):
    src = tmp_path / "in.csv"
    src.write_text(text, encoding="utf-8", newline="")
    r = run(src)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split(",")[0] == "Lead"
    assert lines[1].endswith(",28,28,High,")


def test_missing_factor_columns_are_unknown(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("name,prestige,need\nA,2,2\n")
    r = run(src)
    assert r.returncode == 0
    unknown = "people_profile;budget;contract_type;market_niche;internal_bias"
    assert r.stdout.splitlines()[1] == f"A,2,2,10,28,Medium,{unknown}"
    assert "no column for people_profile, budget" in r.stderr


@pytest.mark.parametrize("body, message", [
    ("A,2,2,2,2,2,2,2\nB,2,3,2,2,2,2,2\n", "line 3, column 'need': invalid level '3'"),
    ("A,2,2,2,2,2,2,2\nB,2,2,2,2,2,2,high\n", "line 3, column 'Internal positive bias': invalid level 'high'"),
    ('"A\nsecond line",2,2,2,2,2,2,2\nB,1.5,2,2,2,2,2,2\n', "line 4, column 'People profile': invalid level '1.5'"),
    ("A,2,2,2,2,2,2,2\n\nB,-1,2,2,2,2,2,2\n", "line 4, column 'People profile': invalid level '-1'"),
])
def test_invalid_level_exits_2_with_line_and_column(tmp_path, body, message):
    src = tmp_path / "in.csv"
    src.write_text(HEADER + "\n" + body)
    out = tmp_path / "out.csv"
    r = run(src, "-o", out)
    assert r.returncode == 2
    assert message in r.stderr and "in.csv" in r.stderr
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [src]  # no temp file left behind either


def test_bad_row_after_many_chunks_writes_nothing(tmp_path):
    from sales.csvtext import CsvError
    from sales.score_csv import score_csv

    src = tmp_path / "in.csv"
    src.write_text(HEADER + "\n" + "A,2,2,2,2,2,2,2\n" * 25 + "Z,9,2,2,2,2,2,2\n")
    out = tmp_path / "out.csv"
    out.write_text("previous content")
    with pytest.raises(CsvError, match="line 27, column 'People profile'"):
        score_csv(src, out, chunk_rows=4)
    assert out.read_text() == "previous content"  # an earlier result is never half-overwritten


@pytest.mark.parametrize("content, message", [
    ("", "the file is empty"),
    ("name,owner\nA,B\n", "line 1: no factor columns found"),
    (b"\x00\x01\x02PK", "looks like a binary file"),
])
def test_unusable_files(tmp_path, content, message):
    src = tmp_path / "in.csv"
    if isinstance(content, bytes):
        src.write_bytes(content)
    else:
        src.write_text(content)
    r = run(src, "-o", tmp_path / "out.csv")
    assert r.returncode == 2 and message in r.stderr
    assert not (tmp_path / "out.csv").exists()


def test_missing_input_file(tmp_path):
    r = run(tmp_path / "nope.csv")
    assert r.returncode == 2 and "nope.csv" in r.stderr


def test_the_command_line_loads_heavy_libraries_only_for_the_command_that_needs_them():
    code = ("import sys; from sales.cli import build_parser; build_parser().format_help(); "
            "print(sorted(m for m in ('pandas', 'duckdb', 'numpy', 'streamlit') if m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert r.stdout.strip() == "[]", r.stderr


def test_importing_a_time_export_loads_neither_pandas_nor_numpy(tmp_path):
    """A time export goes file → DuckDB → store: the process never pays for pandas' start-up."""
    code = ("import sys, runpy; sys.argv = ['sales', 'import', sys.argv[1], '--db', sys.argv[2]]\n"
            "try:\n    runpy.run_module('sales', run_name='__main__')\nexcept SystemExit as e:\n    code = e.code\n"
            "print(code, sorted(m for m in ('pandas', 'numpy', 'streamlit') if m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code, str(ROOT / "tests" / "fixtures" / "tempo.csv"),
                        str(tmp_path / "s.duckdb")], cwd=ROOT, capture_output=True, text=True)
    assert r.stdout.strip().splitlines()[-1] == "0 []", r.stdout + r.stderr
