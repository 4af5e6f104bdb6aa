"""Upload folders: a file leaves with the uploader, and abandoned session folders are swept."""

import os

import pytest

from sales.uploads import PREFIX, STALE_AFTER_S, human_size, keep_only, new_workdir, sweep_stale, upload_path


def test_keep_only_removes_what_left_the_uploader(tmp_path):
    a, b = upload_path(tmp_path, "id1", "a.csv"), upload_path(tmp_path, "id2", "../b.csv")
    assert b.parent == tmp_path and b.name == "id2-b.csv"  # a name cannot climb out of the folder
    for p in (a, b):
        p.write_text("x")
    assert keep_only(tmp_path, {a}) == [b]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["id1-a.csv"]


@pytest.mark.parametrize("age_s, swept", [(STALE_AFTER_S + 60, True), (STALE_AFTER_S - 60, False)])
def test_sweep_removes_only_stale_upload_folders(tmp_path, age_s, swept):
    now = 2_000_000_000.0
    folder, other = tmp_path / f"{PREFIX}old", tmp_path / "someone-elses"
    for d in (folder, other):
        d.mkdir()
        (d / "f.csv").write_text("x")
        for p in (d, d / "f.csv"):
            os.utime(p, (now - age_s, now - age_s))
    assert sweep_stale(tmp_path, now=now) == ([folder] if swept else [])
    assert folder.exists() != swept and other.exists()


def test_new_workdir_is_a_fresh_prefixed_folder(tmp_path):
    a, b = new_workdir(tmp_path), new_workdir(tmp_path)
    assert a != b and a.is_dir() and a.name.startswith(PREFIX) and a.parent == tmp_path


@pytest.mark.parametrize("n, shown", [(0, "0 bytes"), (999, "999 bytes"), (1000, "1.0 KB"), (612, "612 bytes"),
                                      (281_000_000, "281.0 MB"), (1_500_000_000, "1.5 GB")])
def test_human_size(n, shown):
    assert human_size(n) == shown
