"""Publishing to the parent over HTTP: make the facts, keep the changed ones in the outbox, send the unsent
in order, mark what the parent acknowledged. At-least-once: a send whose answer is lost is sent again, and
the parent keeps it once."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy.orm import Session, sessionmaker

from core import clock
from core.exceptions import BackendUnavailable, InvalidInput
from core.settings import Settings
from graph.store import GraphStore
from services.federation import handovers
from services.federation.facts import publishable, rolled_up, urgent_mark
from services.federation.orders import Order, last_taken, take_in
from services.federation.outbox import BATCH, enqueue_changes, mark_sent, unsent

log = logging.getLogger("yiwang.federation")
URGENT_CHECK_S = 1.0  # how often a running platform looks for a major incident to escalate


@dataclass(frozen=True)
class Published:
    made: int
    sent: int
    duplicates: int
    through: int | None


def snapshot(sessions: sessionmaker[Session], graph: GraphStore, level: str = "city") -> int:
    """The facts of now into the outbox where they changed (a city's own; a province's, its cities' added up);
    how many entered."""
    now = clock.now()  # one moment: the figures and the as-of time that cites them
    with sessions() as session:
        facts = publishable(session, graph, now) if level == "city" else rolled_up(session, now)
        made = enqueue_changes(session, facts, now)
        session.commit()
    return made


def send(sessions: sessionmaker[Session], settings: Settings, client: httpx.Client | None = None) -> Published:
    """Everything unsent, in order, batch by batch, until the outbox is empty or the parent cannot be reached
    (then what was acknowledged stays marked, the rest waits for the next try)."""
    if not settings.parent_url:
        raise InvalidInput("没有上级平台: 设置 YIWANG_PARENT_URL 与 YIWANG_PARENT_KEY")
    if client is None:
        with httpx.Client(timeout=30) as own:
            return send(sessions, settings, own)
    source = {"code": settings.platform_code, "name": settings.platform_name}
    sent = duplicates = 0
    through = None
    while True:
        with sessions() as session:
            items = unsent(session, BATCH)
        if not items:
            return Published(0, sent, duplicates, through)
        ack = _request(settings, client, "POST", "/v1/federation/batches", "未送达的数据留在发件箱, 下次再发",
                       json={"source": source, "items": [i.model_dump(mode="json") for i in items]})  # fmt: skip
        if ack["through"] is None or ack["through"] < items[-1].seq:
            raise BackendUnavailable(f"上级平台只确认到 {ack['through']}, 少于已发的 {items[-1].seq}; 稍后重发")
        with sessions() as session:
            mark_sent(session, ack["through"])
            session.commit()
        sent, duplicates, through = sent + ack["accepted"], duplicates + ack["duplicates"], ack["through"]


def publish(sessions: sessionmaker[Session], graph: GraphStore, settings: Settings,
            client: httpx.Client | None = None) -> Published:  # fmt: skip
    if not settings.parent_url:  # said before anything enters an outbox nothing would empty
        raise InvalidInput("没有上级平台: 设置 YIWANG_PARENT_URL 与 YIWANG_PARENT_KEY")
    if client is None:
        with httpx.Client(timeout=30) as own:
            return publish(sessions, graph, settings, own)
    made = snapshot(sessions, graph, settings.level)
    done = send(sessions, settings, client)
    taken = take_orders(sessions, settings, client) + take_handovers(sessions, graph, settings, client)
    if taken:  # their receipts go up at once: the parent sees them taken in
        made += snapshot(sessions, graph, settings.level)
        more = send(sessions, settings, client)
        done = Published(0, done.sent + more.sent, done.duplicates + more.duplicates, more.through or done.through)
    return Published(made, done.sent, done.duplicates, done.through)


def _request(settings: Settings, client: httpx.Client, method: str, path: str, then: str, **kwargs: Any) -> Any:
    """One call to the parent with this platform's key; unreachable or refused is a 503 saying what waits."""
    try:
        response = client.request(method, f"{settings.parent_url.rstrip('/')}{path}",
                                  headers={"Authorization": f"Bearer {settings.parent_key}"}, **kwargs)  # fmt: skip
    except httpx.HTTPError as exc:
        raise BackendUnavailable(f"上级平台 {settings.parent_url} 无法连接 ({type(exc).__name__}); {then}") from exc
    if response.status_code != 200:
        raise BackendUnavailable(f"上级平台拒绝 {path} (HTTP {response.status_code}): {response.text[:200]}")
    return response.json()


def _pull(settings: Settings, client: httpx.Client, path: str, params: dict | None = None) -> list[dict]:
    return _request(settings, client, "GET", path, "下次再取", params=params or {})["items"]


def take_handovers(sessions: sessionmaker[Session], graph: GraphStore, settings: Settings, client: httpx.Client) -> int:
    """The cases neighbours handed over to this city through the parent, opened here; how many were new."""
    incoming = [handovers.Incoming(**item) for item in _pull(settings, client, "/v1/federation/handovers")]
    with sessions() as session:
        taken = handovers.take_in(session, graph, incoming)
        session.commit()
    return taken


def take_orders(sessions: sessionmaker[Session], settings: Settings, client: httpx.Client) -> int:
    """The supervision orders the parent sent down since the last one taken in, recorded here; how many."""
    with sessions() as session:
        after = last_taken(session)
    orders = [Order(**item) for item in _pull(settings, client, "/v1/federation/orders", {"after": after})]
    with sessions() as session:
        taken = take_in(session, orders)
        session.commit()
    return taken


class Publisher:
    """A daemon thread publishing to the parent every ``sync_interval_s`` while the server runs: a parent
    that cannot be reached is tried again at the next interval, the outbox keeping what waits."""

    def __init__(self, sessions: sessionmaker[Session], graph: GraphStore, settings: Settings) -> None:
        self.sessions, self.graph, self.settings = sessions, graph, settings
        self.last: Published | None = None
        self.last_error: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="publisher", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        mark, due = None, 0.0
        with httpx.Client(timeout=30) as client:
            while not self._stop.is_set():
                now_mark = mark
                try:
                    with self.sessions() as session:
                        now_mark = urgent_mark(session, self.settings.level)
                    if now_mark != mark or time.monotonic() >= due:  # on schedule, and at once on a major incident
                        self.last, self.last_error = publish(self.sessions, self.graph, self.settings, client), None
                        mark, due = now_mark, time.monotonic() + self.settings.sync_interval_s
                except BackendUnavailable as exc:  # the outbox keeps it: tried again at the next interval
                    self.last_error = exc.message
                    mark, due = now_mark, time.monotonic() + self.settings.sync_interval_s
                    log.warning("publishing to %s: %s", self.settings.parent_url, exc.message)
                except Exception:
                    mark, due = now_mark, time.monotonic() + self.settings.sync_interval_s
                    log.exception("publishing to the parent failed")
                self._stop.wait(min(URGENT_CHECK_S, self.settings.sync_interval_s))


def neighbours(settings: Settings, client: httpx.Client | None = None) -> dict[str, str]:
    """The platforms the parent has heard from (code → name): whom a case may be handed over to."""
    if not settings.parent_url:
        raise InvalidInput("没有上级平台 (YIWANG_PARENT_URL): 案件无法移交给相邻城市")
    if client is None:
        with httpx.Client(timeout=10) as own:
            return neighbours(settings, own)
    return {s["code"]: s["name"] for s in _pull(settings, client, "/v1/federation/sources")}
