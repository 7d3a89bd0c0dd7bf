"""The embedded FalkorDB child process: start, share, adopt an orphan, recover a stale pid file, persist."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from core.settings import Settings
from graph.backends import open_graph
from graph.falkor_embedded import EmbeddedFalkor, _alive


def test_second_user_reuses_the_server_and_only_the_owner_stops_it(tmp_path: Path) -> None:
    first, second = EmbeddedFalkor(tmp_path), EmbeddedFalkor(tmp_path)
    socket = first.ensure_running()
    assert first.owned and second.ensure_running() == socket
    assert not second.owned and second.pid == first.pid
    second.stop()
    assert _alive(first.pid)
    first.stop()
    assert not _alive(first.pid) and not (tmp_path / "falkordb.pid").exists()


def test_orphan_of_a_killed_process_is_adopted(tmp_path: Path) -> None:
    script = textwrap.dedent(f"""
        import os, signal
        from pathlib import Path
        from graph.falkor_embedded import EmbeddedFalkor
        server = EmbeddedFalkor(Path({str(tmp_path)!r}))
        server.ensure_running()
        print(server.pid, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    child = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    orphan_pid = int(child.stdout.strip())
    assert _alive(orphan_pid)
    adopter = EmbeddedFalkor(tmp_path)
    adopter.ensure_running()
    assert adopter.owned and adopter.pid == orphan_pid
    assert json.loads((tmp_path / "falkordb.pid").read_text())["owner"] == os.getpid()
    adopter.stop()
    assert not _alive(orphan_pid)


def test_stale_pid_file_is_replaced(tmp_path: Path) -> None:
    (tmp_path / "falkordb.pid").write_text(json.dumps({"pid": 2**22 + 17, "owner": 2**22 + 18}))
    server = EmbeddedFalkor(tmp_path)
    server.ensure_running()
    assert server.owned and server.pid != 2**22 + 17
    server.stop()


def test_data_survives_a_restart(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    store = open_graph(settings)
    store.query("CREATE (:District {id: '990101', name: 'A1区'})")
    store.close()
    store = open_graph(settings)
    try:
        assert store.ro_query("MATCH (d:District) RETURN d.name AS name") == [{"name": "A1区"}]
    finally:
        store.close()


def test_long_data_dir_still_gets_a_valid_socket(tmp_path: Path) -> None:
    deep = tmp_path / ("x" * 60) / ("y" * 60)
    server = EmbeddedFalkor(deep)
    assert len(server.socket_path) <= 100
    server.ensure_running()
    server.stop()


def test_the_server_stays_up_while_another_process_uses_it_and_the_last_user_stops_it(tmp_path: Path) -> None:
    # A CLI command run beside the server (yiwang eval while yiwang serve runs) must not take the graph away.
    script = textwrap.dedent(f"""
        from pathlib import Path
        from graph.falkor_embedded import EmbeddedFalkor
        server = EmbeddedFalkor(Path({str(tmp_path)!r}))
        server.ensure_running()
        print(server.pid, flush=True)
    """)  # the child starts the server, then exits normally (its atexit leaves it)
    user = EmbeddedFalkor(tmp_path)
    child = subprocess.Popen([sys.executable, "-c", script + "import sys; sys.stdin.read()"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)  # fmt: skip
    server_pid = int(child.stdout.readline())
    user.ensure_running()
    assert user.pid == server_pid and not user.owned
    child.communicate("", timeout=60)  # the starter leaves while we still use the server
    assert _alive(server_pid) and user.owned is False
    assert json.loads((tmp_path / "falkordb.pid").read_text())["owner"] == os.getpid()
    user.stop()
    assert not _alive(server_pid)
