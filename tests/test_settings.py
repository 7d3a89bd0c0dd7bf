"""Where the shared real data is found when ``YIWANG_SHARED_DIR`` is not set."""

from __future__ import annotations

import subprocess
from pathlib import Path

from core.settings import default_shared_dir


def _git(*args: str) -> None:
    subprocess.run(["git", *args], check=True, capture_output=True)


def test_shared_beside_the_checkout_or_beside_the_checkout_it_was_cloned_or_branched_from(tmp_path: Path) -> None:
    (tmp_path / "work" / "shared").mkdir(parents=True)
    checkout = tmp_path / "work" / "main"
    _git("init", "-q", str(checkout))
    _git("-C", str(checkout), "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-q", "--allow-empty", "-m", "x")
    assert default_shared_dir(checkout) == tmp_path / "work" / "shared"

    clone = tmp_path / "elsewhere" / "clone"  # a clean-clone check: `git clone . $(mktemp -d)`
    _git("clone", "-q", str(checkout), str(clone))
    assert default_shared_dir(clone) == tmp_path / "work" / "shared"

    worktree = tmp_path / "scratch" / "tree"  # `git worktree add /tmp/x`, e.g. to bench an older commit
    _git("-C", str(checkout), "worktree", "add", "-q", "--detach", str(worktree))
    assert default_shared_dir(worktree) == tmp_path / "work" / "shared"

    lone = tmp_path / "lone" / "repo"  # nothing to find: the usual place, named in the loading error
    _git("init", "-q", str(lone))
    assert default_shared_dir(lone) == tmp_path / "lone" / "shared"


def test_a_relative_data_dir_is_made_absolute(monkeypatch, tmp_path) -> None:
    # The federation demo runs cities with YIWANG_DATA_DIR=var/b; the embedded graph engine needs the full path.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("YIWANG_DATA_DIR", "var/b")
    from core.settings import Settings

    assert Settings().data_dir == tmp_path / "var" / "b"
