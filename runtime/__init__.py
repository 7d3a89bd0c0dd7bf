"""The one way in: every part of Yiwang opened from the settings, in order, and closed in reverse.

The HTTP server keeps one ``Runtime`` for its lifetime; every CLI command opens the parts it needs the
same way. A part opens what it needs first (chat needs the services client, which needs triage, which
needs the graph, the database and the document index), so a command names only what it uses::

    with open_runtime(settings, {"triage"}) as runtime:
        runtime.triage.triage(request)

A missing document index is one rule everywhere: the runtime opens without it (``documents`` is
``None``), the policy search answers 503 with the command to run, and triage cites no clause.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from assistant.chat import ChatService
from assistant.checkpoints import Checkpoints
from assistant.intents import IntentRecognizer
from assistant.lexicon import CityLexicon
from core.exceptions import BackendUnavailable
from core.llm import make_chat_model
from core.settings import Settings
from graph.backends import open_graph
from graph.domain import DomainTables, load_domain
from graph.store import GraphStore
from retrievers.embedders import make_embedder
from retrievers.index import DocumentIndex, open_index
from services.db import database_url, make_engine, migrate, session_factory
from services.monitoring.mqtt import MqttIngestor
from services.monitoring.readings import Registry, sync_sensors
from services.simulation.runner import InProcessSimulation, sensor_specs
from services.simulation.simulator import Simulator
from tools.client import LocalServices, RemoteServices, ServicesClient
from triage.service import Triage

Part = Literal["graph", "database", "documents", "triage", "services", "chat", "monitoring"]
NEEDS: dict[Part, tuple[Part, ...]] = {
    "graph": (),
    "database": (),
    "documents": ("graph",),
    "triage": ("graph", "database", "documents"),
    "services": ("graph", "database", "documents", "triage"),
    "chat": ("services",),
    "monitoring": ("graph", "database"),
}
SERVER: frozenset[Part] = frozenset(NEEDS)
"""What ``yiwang serve`` opens; MQTT and the simulator start as well when the settings ask for them."""

T = TypeVar("T")
log = logging.getLogger("yiwang.runtime")


def _opened(part: T | None, name: str) -> T:
    if part is None:
        raise BackendUnavailable(f"{name} 未在本进程中启用 / {name} is not open in this runtime")
    return part


@dataclass
class Runtime:
    """The open parts. Reading a part that was not asked for is a ``BackendUnavailable`` naming it."""

    settings: Settings
    _graph: GraphStore | None = None
    _sessions: sessionmaker[Session] | None = None
    documents: DocumentIndex | None = None
    """The policy index, or ``None`` when it has not been built (``yiwang index build``)."""
    _triage: Triage | None = None
    _services: ServicesClient | None = None
    _chat: ChatService | None = None
    _registry: Registry | None = None
    mqtt: MqttIngestor | None = None
    simulation: InProcessSimulation | None = None
    _domain: DomainTables | None = None

    @property
    def graph(self) -> GraphStore:
        return _opened(self._graph, "graph")

    @property
    def sessions(self) -> sessionmaker[Session]:
        return _opened(self._sessions, "database")

    @property
    def triage(self) -> Triage:
        return _opened(self._triage, "triage")

    @property
    def services(self) -> ServicesClient:
        return _opened(self._services, "services")

    @property
    def chat(self) -> ChatService:
        return _opened(self._chat, "chat")

    @property
    def registry(self) -> Registry:
        return _opened(self._registry, "monitoring")

    @property
    def domain(self) -> DomainTables:
        """The city's own tables (categories, departments, rules, sensor kinds), read on first use."""
        if self._domain is None:
            self._domain = load_domain(self.settings.domain_dir, self.settings.taxonomy_csv)
        return self._domain


def _with_needs(parts: Collection[Part]) -> set[Part]:
    unknown = set(parts) - set(NEEDS)
    if unknown:
        raise ValueError(f"unknown runtime parts {sorted(unknown)}; known: {sorted(NEEDS)}")
    wanted: set[Part] = set()
    pending = list(parts)
    while pending:
        part = pending.pop()
        if part not in wanted:
            wanted.add(part)
            pending.extend(NEEDS[part])
    return wanted


@contextmanager
def open_runtime(settings: Settings, parts: Collection[Part] = SERVER, *, graph: GraphStore | None = None,
                 documents: DocumentIndex | None = None) -> Iterator[Runtime]:  # fmt: skip
    """Open ``parts`` (and what they need) and close them on the way out, newest first.

    A graph store or document index passed in (tests do) is used as is and left open for its owner."""
    wanted = _with_needs(parts)
    runtime = Runtime(settings)
    with ExitStack() as stack:
        if "graph" in wanted:
            runtime._graph = graph or open_graph(settings)
            if graph is None:
                stack.callback(runtime._graph.close)
        if "database" in wanted:
            engine = make_engine(database_url(settings))
            stack.callback(engine.dispose)
            migrate(engine)
            runtime._sessions = session_factory(engine)
        if "documents" in wanted:
            runtime.documents = documents or _open_documents(settings, runtime.graph)
        if "monitoring" in wanted:
            runtime._registry = _sensor_registry(runtime)
        if "triage" in wanted:
            runtime._triage = make_triage(settings, runtime.graph, runtime.sessions, runtime.documents, runtime.domain)
        if "services" in wanted:
            runtime._services = _services_client(runtime)
        if "chat" in wanted:
            checkpoints = stack.enter_context(Checkpoints(database_url(settings)))
            embed = runtime.documents.dense.embedder.embed_query if runtime.documents is not None else None
            runtime._chat = ChatService(runtime.services, CityLexicon.from_graph(runtime.graph), IntentRecognizer(embed),
                                        checkpoints.saver, make_chat_model(settings), runtime.graph)  # fmt: skip
        if "monitoring" in wanted:  # readings start to flow once everything that answers about them is ready
            runtime.mqtt = _start_mqtt(settings, runtime)
            if runtime.mqtt is not None:
                stack.callback(runtime.mqtt.stop)
            runtime.simulation = _start_simulation(settings, runtime)
            if runtime.simulation is not None:
                stack.callback(runtime.simulation.stop)
        yield runtime


def make_triage(settings: Settings, graph: GraphStore, sessions: sessionmaker[Session] | None,
                documents: DocumentIndex | None, domain: DomainTables | None = None) -> Triage:  # fmt: skip
    """Triage on open parts (benchmarks and tests time or share it; ``open_runtime`` calls it too)."""
    domain = domain or load_domain(settings.domain_dir, settings.taxonomy_csv)
    return Triage(graph, domain, sessions, documents, settings.urgency_rules_csv, settings.taxonomy_csv,
                  settings.labelled_hotline, make_chat_model(settings))  # fmt: skip


def _open_documents(settings: Settings, graph: GraphStore) -> DocumentIndex | None:
    try:
        return open_index(settings, make_embedder(settings.embedding_model), graph)
    except BackendUnavailable:
        return None  # answered as 503 with the command to run, not a crash at start-up


def _services_client(runtime: Runtime) -> ServicesClient:
    if runtime.settings.services_url:
        return RemoteServices(runtime.settings.services_url)
    return LocalServices(runtime.graph, runtime.sessions, runtime.settings.shared_dir, runtime.documents, runtime.triage)


def _sensor_registry(runtime: Runtime) -> Registry:
    registry = Registry()
    with runtime.sessions() as session:
        sync_sensors(session, runtime.graph, update_existing=False)  # new sensors only: start-up stays fast
        session.commit()
        registry.load(session)
    return registry


def _start_mqtt(settings: Settings, runtime: Runtime) -> MqttIngestor | None:
    if not settings.mqtt_url:
        return None
    ingestor = MqttIngestor(settings.mqtt_url, settings.mqtt_topic_prefix, runtime.sessions, runtime.registry)
    try:
        ingestor.start()
    except OSError as exc:
        # HTTP ingestion still works; the operator sees why MQTT does not.
        logging.getLogger("yiwang.mqtt").warning("MQTT broker %s unreachable (%s); readings only over HTTP",
                                                 settings.mqtt_url, exc)  # fmt: skip
        return None
    return ingestor


def _start_simulation(settings: Settings, runtime: Runtime) -> InProcessSimulation | None:
    if not settings.simulate:
        return None
    start = datetime.now(UTC).replace(second=0, microsecond=0)
    simulator = Simulator(sensor_specs(runtime.graph, runtime.domain), settings.demo_seed, start,
                          settings.simulate_interval_s)  # fmt: skip
    simulation = InProcessSimulation(simulator, runtime.sessions, runtime.registry, settings.simulate_interval_s)
    simulation.start()
    return simulation
