"""Builds the chat service from what the server already has open (graph, documents, database)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from assistant.chat import ChatService
from assistant.checkpoints import Checkpoints
from assistant.intents import IntentRecognizer
from assistant.lexicon import CityLexicon
from assistant.llm import make_chat_model
from core.settings import Settings
from graph.store import GraphStore
from retrievers.index import DocumentIndex
from services.db import database_url
from tools.client import LocalServices, RemoteServices, ServicesClient


def make_client(settings: Settings, graph: GraphStore, sessions: sessionmaker[Session],
                documents: DocumentIndex | None, triage: Any = None) -> ServicesClient:  # fmt: skip
    if settings.services_url:
        return RemoteServices(settings.services_url)
    return LocalServices(graph, sessions, settings.shared_dir, documents, triage)


def make_chat_service(settings: Settings, graph: GraphStore, sessions: sessionmaker[Session],
                      documents: DocumentIndex | None, triage: Any = None) -> tuple[ChatService, Checkpoints]:  # fmt: skip
    """The service and the checkpointer it writes to (close the latter on shutdown)."""
    embed = documents.dense.embedder.embed_query if documents is not None else None
    checkpoints = Checkpoints(database_url(settings))
    service = ChatService(make_client(settings, graph, sessions, documents, triage), CityLexicon.from_graph(graph),
                          IntentRecognizer(embed), checkpoints.saver, make_chat_model(settings), graph)  # fmt: skip
    return service, checkpoints
