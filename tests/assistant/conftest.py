"""A small city with live data for the assistant: the session's city and fixture policies in their own
graph, a SQLite database with synced sensors, readings that opened alarms, and cases in several states."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from assistant.chat import ChatService
from assistant.checkpoints import Checkpoints
from assistant.intents import IntentRecognizer
from assistant.lexicon import CityLexicon
from core.settings import Settings
from graph.store import GraphStore
from retrievers.index import DocumentIndex
from services.db import make_engine, migrate, session_factory
from services.dispatch.cases import create_case, transition
from services.dispatch.models import CaseCreate, TransitionRequest
from services.monitoring.readings import ReadingIn, ingest
from services.monitoring.registry import Registry, sync_sensors
from services.monitoring.tables import SensorRow
from tools.client import LocalServices


@dataclass
class World:
    graph: GraphStore
    sessions: sessionmaker[Session]
    client: LocalServices
    lexicon: CityLexicon
    recognizer: IntentRecognizer
    db_url: str
    case_ids: list[str]


def _seed_readings(session: Session, registry: Registry, now: datetime) -> None:
    """Alarm-level readings on a few water-level, gas and pump sensors; normal ones on others."""
    readings: list[ReadingIn] = []
    for kind, count, value in (("water_level", 4, 55.0), ("gas_concentration", 2, 30.0), ("pump_status", 1, 2.0),
                               ("water_pressure", 6, 0.35)):  # fmt: skip
        sensors = session.query(SensorRow).filter(SensorRow.kind == kind).order_by(SensorRow.id).limit(count).all()
        for i, sensor in enumerate(sensors):
            for minutes in (30, 20, 10):
                readings.append(ReadingIn(sensor_id=sensor.id, ts=now - timedelta(minutes=minutes + i), value=value))
    ingest(session, registry, readings, now=now)


def _seed_cases(session: Session, graph: GraphStore) -> list[str]:
    grids = [row["id"] for row in graph.ro_query("MATCH (g:Grid) RETURN g.id AS id ORDER BY id")]
    plan = [("event-0405", "幸福路积水没过脚踝"), ("component-0103", "井盖丢了"), ("event-0102", "垃圾成堆没人清"),
            ("component-0110", "路灯不亮"), ("event-0405", "路口积水"), ("component-0103", "井盖响")]  # fmt: skip
    ids = []
    for i, (category, text) in enumerate(plan):
        case = create_case(session, graph, CaseCreate(text=text, category_code=category, grid_id=grids[(i * 37) % len(grids)]))
        ids.append(case.id)
    for case_id in ids[:3]:
        transition(session, graph, case_id, TransitionRequest(action="立案", actor="tester"))
    transition(session, graph, ids[0], TransitionRequest(action="派遣", actor="tester"))
    session.commit()
    return ids


@pytest.fixture(scope="session")
def world(doc_graph: GraphStore, tmp_path_factory: pytest.TempPathFactory, doc_index: DocumentIndex,
          embedder) -> Iterator[World]:  # fmt: skip
    db_url = f"sqlite:///{tmp_path_factory.mktemp('assistant-db') / 'yiwang.db'}"
    engine = make_engine(db_url)
    migrate(engine)
    sessions = session_factory(engine)
    now = datetime.now(UTC)
    with sessions() as session:
        sync_sensors(session, doc_graph)
        session.commit()
        registry = Registry()
        registry.load(session)
        _seed_readings(session, registry, now)
        session.commit()
        case_ids = _seed_cases(session, doc_graph)
    from triage.service import Triage

    triage = Triage.from_settings(Settings(), doc_graph, sessions, doc_index)
    client = LocalServices(doc_graph, sessions, Settings().shared_dir, doc_index, triage)
    yield World(doc_graph, sessions, client, CityLexicon.from_graph(doc_graph), IntentRecognizer(embedder.embed_query),
                db_url, case_ids)  # fmt: skip
    engine.dispose()


@pytest.fixture
def checkpoints(tmp_path: Path) -> Iterator[Checkpoints]:
    with Checkpoints(f"sqlite:///{tmp_path / 'checkpoints.db'}") as opened:
        yield opened


@pytest.fixture
def chat(world: World, checkpoints: Checkpoints) -> ChatService:
    """The offline assistant (no LLM) over the world."""
    return ChatService(world.client, world.lexicon, world.recognizer, checkpoints.saver)
