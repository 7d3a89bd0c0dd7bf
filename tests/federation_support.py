"""A province served on loopback and cities publishing to it: what the federation tests and the province's
browser test share."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker
from tests_support import serving

from api.app import create_app
from core.settings import Settings
from graph.store import GraphStore
from services.access.keys import create_key
from services.db import make_engine, migrate, session_factory
from services.dispatch.demo_history import seed_case_history


@dataclass
class City:
    settings: Settings
    sessions: sessionmaker[Session]


@dataclass
class Province:
    url: str
    admin: str
    keys: dict[str, str]
    settings: Settings | None = None
    app: object = None


@contextlib.contextmanager
def served_province(base: Settings, graph: GraphStore, db_url: str, *, level: str = "province", code: str = "990000",
                    name: str = "西地省", lower: tuple[str, ...] = ("990100", "990200")) -> Iterator[Province]:  # fmt: skip
    """西地省 (level province, keys on) served by uvicorn, with a platform key for each lower platform and an admin;
    the same for the nation over its provinces."""
    settings = base.model_copy(update={"db_url": db_url, "auth": "keys", "level": level, "platform_code": code,
                                       "platform_name": name})  # fmt: skip
    app = create_app(settings, store=graph)
    with serving(app) as url:
        with app.state.runtime.sessions() as session:
            keys = {low: create_key(session, low, "platform").key for low in lower}
            admin = create_key(session, "省值班长", "admin").key
            session.commit()
        yield Province(url=url, admin=admin, keys=keys, settings=settings, app=app)


def make_city(base: Settings, graph: GraphStore, directory: Path, code: str, name: str, seed: int,
              province: Province) -> City:  # fmt: skip
    """A city's database of its own with twelve days of cases, set to publish to ``province``."""
    engine = make_engine(f"sqlite:///{directory / f'{code}.db'}")
    migrate(engine)
    sessions = session_factory(engine)
    with sessions() as session:
        seed_case_history(session, graph, seed=seed, days=12, per_day=7)
    settings = base.model_copy(update={"platform_code": code, "platform_name": name, "parent_url": province.url,
                                       "parent_key": province.keys[code]})  # fmt: skip
    return City(settings=settings, sessions=sessions)
