"""The one way in: every part of Yiwang opened from the settings, in order, and closed in reverse.

The HTTP server keeps one ``Runtime`` for its lifetime; every CLI command opens the parts it needs the
same way. A part opens what it needs first (chat needs the services client, which in process needs
triage, which needs the graph, the database and the document index), so a command names only what it
uses::

    with open_runtime(settings, {"triage"}) as runtime:
        runtime.triage.triage(request)

A missing document index is one rule everywhere: the runtime opens without it (``documents`` is
``None``), the policy search answers 503 with the command to run, and triage cites no clause.

Each part's code is imported when that part opens: ``yiwang graph stats`` should not load the agent.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, TypeVar

from core import clock
from core.exceptions import BackendUnavailable
from core.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from analytics.service import Analytics
    from assistant.chat import ChatService
    from graph.domain import DomainTables
    from graph.store import GraphStore
    from retrievers.index import DocumentIndex
    from services.federation.push import Publisher
    from services.monitoring.mqtt import MqttIngestor
    from services.monitoring.registry import Registry
    from services.simulation.runner import InProcessSimulation
    from tools.client import ServicesClient
    from triage.service import Triage

Part = Literal["graph", "database", "documents", "triage", "analytics", "services", "chat", "monitoring", "publisher"]
NEEDS: dict[Part, tuple[Part, ...]] = {
    "graph": (),
    "database": (),
    "documents": ("graph",),
    "triage": ("graph", "database", "documents"),
    "analytics": ("graph", "database"),  # Ray itself starts on the first batch big enough for it
    "services": ("graph", "database", "documents", "triage", "analytics"),  # in process; over HTTP nothing here
    "chat": ("services", "graph", "database"),  # the lexicon reads the graph; checkpoints live in the database
    "monitoring": ("graph", "database"),
    "publisher": ("graph", "database"),  # publishing upward starts only where a parent is set
}
SERVER: frozenset[Part] = frozenset(NEEDS)
"""What ``yiwang serve`` opens; MQTT and the simulator start as well when the settings ask for them."""

T = TypeVar("T")
log = logging.getLogger("yiwang.runtime")


def _opened(part: T | None, name: Part) -> T:
    if part is None:
        raise RuntimeError(f"the runtime was opened without the {name!r} part; add it to open_runtime's parts")
    return part


@dataclass
class Runtime:
    """The open parts, each read through a property named after it; one that was not opened is an error."""

    settings: Settings
    _graph: GraphStore | None = None
    _sessions: sessionmaker[Session] | None = None
    documents: DocumentIndex | None = None
    """The policy index, or ``None`` when it has not been built (``yiwang index build``)."""
    _triage: Triage | None = None
    _analytics: Analytics | None = None
    _services: ServicesClient | None = None
    _chat: ChatService | None = None
    _registry: Registry | None = None
    mqtt: MqttIngestor | None = None
    """Readings over MQTT, when the settings name a broker that answers."""
    simulation: InProcessSimulation | None = None
    """The demo simulator, when the server runs with ``--simulate``."""
    publisher: Publisher | None = None
    """Publishing to the parent platform, when ``parent_url`` is set (the server only)."""
    _domain: DomainTables | None = None

    @property
    def graph(self) -> GraphStore:
        return _opened(self._graph, "graph")

    @property
    def sessions(self) -> sessionmaker[Session]:
        """The database's session factory (the ``database`` part)."""
        return _opened(self._sessions, "database")

    @property
    def triage(self) -> Triage:
        return _opened(self._triage, "triage")

    @property
    def analytics(self) -> Analytics:
        """Batch analytics over many series, in process or on Ray (the ``analytics`` part)."""
        return _opened(self._analytics, "analytics")

    @property
    def services(self) -> ServicesClient:
        return _opened(self._services, "services")

    @property
    def chat(self) -> ChatService:
        return _opened(self._chat, "chat")

    @property
    def registry(self) -> Registry:
        """The sensor registry readings are checked against (the ``monitoring`` part)."""
        return _opened(self._registry, "monitoring")

    @property
    def domain(self) -> DomainTables:
        """The city's own tables (categories, departments, rules, sensor kinds), read on first use."""
        if self._domain is None:
            from graph.domain import load_city_domain

            self._domain = load_city_domain(self.settings)
        return self._domain


def needed(settings: Settings, parts: Collection[Part]) -> set[Part]:
    """``parts`` and everything they need to open first."""
    unknown = set(parts) - set(NEEDS)
    if unknown:
        raise ValueError(f"unknown runtime parts {sorted(unknown)}; known: {sorted(NEEDS)}")
    wanted: set[Part] = set()
    pending = list(parts)
    while pending:
        part = pending.pop()
        if part not in wanted:
            wanted.add(part)
            if not (part == "services" and settings.services_url):
                pending.extend(NEEDS[part])
    return wanted


@contextmanager
def open_runtime(settings: Settings, parts: Collection[Part], *, graph: GraphStore | None = None,
                 documents: DocumentIndex | None = None) -> Iterator[Runtime]:  # fmt: skip
    """Open ``parts`` (and what they need) and close them on the way out, newest first; if opening fails
    half way, what was opened is closed. A graph store or document index passed in (tests do) is used as
    is and left open for its owner."""
    wanted = needed(settings, parts)
    clock.start_at(settings.now)
    runtime = Runtime(settings)
    with ExitStack() as stack:
        if "graph" in wanted:
            from graph.backends import open_graph

            runtime._graph = graph or open_graph(settings)
            if graph is None:
                stack.callback(runtime._graph.close)
        if "database" in wanted:
            from services.db import database_url, make_engine, migrate, session_factory

            engine = make_engine(database_url(settings))
            stack.callback(engine.dispose)
            migrate(engine)
            runtime._sessions = session_factory(engine)
        if "documents" in wanted:
            runtime.documents = documents or _open_documents(settings, runtime.graph)
        if "monitoring" in wanted:
            runtime._registry = _sensor_registry(runtime)
        if "triage" in wanted:
            from triage.service import Triage

            runtime._triage = Triage.from_settings(settings, runtime.graph, runtime.sessions, runtime.documents,
                                                   runtime.domain)  # fmt: skip
        if "analytics" in wanted:
            from analytics.engine import BatchEngine
            from analytics.service import Analytics

            engine = BatchEngine(settings.ray_address, settings.ray_num_cpus, settings.ray_min_items)
            stack.callback(engine.close)
            runtime._analytics = Analytics(runtime.sessions, runtime.graph, settings.shared_dir, engine)
        if "services" in wanted:
            runtime._services = _services_client(runtime, stack)
        if "chat" in wanted:
            runtime._chat = _chat_service(runtime, stack)
        if "monitoring" in wanted:  # readings start to flow once everything that answers about them is ready
            runtime.mqtt = _start_mqtt(settings, runtime)
            if runtime.mqtt is not None:
                stack.callback(runtime.mqtt.stop)
            runtime.simulation = _start_simulation(settings, runtime)
            if runtime.simulation is not None:
                stack.callback(runtime.simulation.stop)
        if "publisher" in wanted and settings.parent_url:
            from services.federation.push import Publisher

            runtime.publisher = Publisher(runtime.sessions, runtime.graph, settings)
            runtime.publisher.start()
            stack.callback(runtime.publisher.stop)
        yield runtime


def _open_documents(settings: Settings, graph: GraphStore) -> DocumentIndex | None:
    from retrievers.embedders import make_embedder
    from retrievers.index import open_index

    try:
        return open_index(settings, make_embedder(settings.embedding_model), graph)
    except BackendUnavailable as exc:  # missing or unreadable: answered as 503 with the command to run
        log.warning("%s", exc.message)
        return None


def _services_client(runtime: Runtime, stack: ExitStack) -> ServicesClient:
    from tools.client import LocalServices, RemoteServices

    if runtime.settings.services_url:
        remote = RemoteServices(runtime.settings.services_url, api_key=runtime.settings.api_key)
        stack.callback(remote.http.close)
        return remote
    return LocalServices(runtime.graph, runtime.sessions, runtime.settings.shared_dir, runtime.documents, runtime.triage,
                         runtime.analytics, runtime.settings.sync_interval_s)  # fmt: skip


def _chat_service(runtime: Runtime, stack: ExitStack) -> ChatService:
    from assistant.chat import ChatService
    from assistant.checkpoints import Checkpoints
    from assistant.intents import IntentRecognizer
    from assistant.lexicon import CityLexicon
    from core.llm import make_chat_model
    from services.db import database_url

    checkpoints = stack.enter_context(Checkpoints(database_url(runtime.settings)))
    embed = runtime.documents.dense.embedder.embed_query if runtime.documents is not None else None
    recognizer = IntentRecognizer(embed)
    recognizer.asked.warm_up()
    return ChatService(runtime.services, CityLexicon.from_graph(runtime.graph), recognizer,
                       checkpoints.saver, make_chat_model(runtime.settings), runtime.graph,
                       runtime.settings.llm_turn_budget_s, runtime.settings.level, runtime.settings.platform_name,
                       llm_role=runtime.settings.llm_role)  # fmt: skip


def _sensor_registry(runtime: Runtime) -> Registry:
    from services.monitoring.registry import Registry, sync_sensors

    registry = Registry()
    with runtime.sessions() as session:
        sync_sensors(session, runtime.graph, update_existing=False)  # new sensors only: start-up stays fast
        session.commit()
        registry.load(session)
    return registry


def _start_mqtt(settings: Settings, runtime: Runtime) -> MqttIngestor | None:
    if not settings.mqtt_url:
        return None
    from services.monitoring.mqtt import MqttIngestor

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
    from services.simulation.runner import InProcessSimulation, sensor_specs
    from services.simulation.simulator import Simulator

    start = clock.now().replace(second=0, microsecond=0)
    simulator = Simulator(sensor_specs(runtime.graph, runtime.domain), settings.demo_seed, start,
                          settings.simulate_interval_s)  # fmt: skip
    simulation = InProcessSimulation(simulator, runtime.sessions, runtime.registry, settings.simulate_interval_s)
    simulation.start()
    return simulation
