"""Builds the triage service from the server's settings, graph, database and documents."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from assistant.llm import make_chat_model
from core.settings import Settings
from graph.domain import load_domain, taxonomy_csv
from graph.store import GraphStore
from retrievers.index import DocumentIndex
from triage.service import Triage


def make_triage(settings: Settings, graph: GraphStore, sessions: sessionmaker[Session] | None,
                documents: DocumentIndex | None) -> Triage:  # fmt: skip
    taxonomy = taxonomy_csv(settings.shared_dir)
    return Triage(graph, load_domain(settings.domain_dir, taxonomy), sessions, documents,
                  settings.domain_dir / "urgency_rules.csv", taxonomy,
                  settings.shared_dir / "data" / "hotline" / "labelled.jsonl", make_chat_model(settings))  # fmt: skip
