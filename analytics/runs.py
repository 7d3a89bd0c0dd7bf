"""Every analytics run kept under its id (table ``analytics_runs``), so an answer or a memo that cites
``hotspots:…`` or ``sensor-forecasts:…`` can be looked up later, after a restart too, and a batch forecast made
once is not made again while the readings it saw are the newest."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from analytics.tables import AnalyticsRunRow
from core.exceptions import NotFound
from core.times import local_iso


class KeptRun(BaseModel):
    run_id: str
    analytic: str
    created_at: str
    request: dict[str, Any]
    result: dict[str, Any]


def keep(sessions: sessionmaker[Session], analytic: str, request: BaseModel, run: BaseModel) -> None:
    """Store a run once; the same id again is the same run (made from the same data), so it is left as is."""
    run_id = str(run.run_id)
    with sessions() as session:
        if session.get(AnalyticsRunRow, run_id) is not None:
            return
        session.add(AnalyticsRunRow(run_id=run_id, analytic=analytic, request=request.model_dump_json(),
                                    result=run.model_dump_json(), created_at=datetime.now(UTC)))  # fmt: skip
        try:
            session.commit()
        except IntegrityError:  # another request kept the same run a moment ago
            session.rollback()


def kept(sessions: sessionmaker[Session], run_id: str) -> KeptRun | None:
    with sessions() as session:
        row = session.get(AnalyticsRunRow, run_id)
        if row is None:
            return None
        return KeptRun(run_id=row.run_id, analytic=row.analytic, created_at=local_iso(row.created_at) or "",
                       request=json.loads(row.request), result=json.loads(row.result))  # fmt: skip


def kept_or_404(sessions: sessionmaker[Session], run_id: str) -> KeptRun:
    run = kept(sessions, run_id)
    if run is None:
        raise NotFound(f"没有编号为 {run_id!r} 的分析批次; 编号见分析结果的 run_id / no analytics run with that id")
    return run
