"""The analytics of one process: the batch engine, and the runs made — kept in the database under their ids
(``analytics.runs``) so that every cited run can be looked up, and the same batch forecast asked again on the
same readings is answered from the run that answered it first, after a restart too."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel
from sqlalchemy.orm import Session, sessionmaker

from analytics.anomalies import AnomalyScanRequest, AnomalyScanRun, SensorAnomaly, scan_anomalies
from analytics.department_rollups import DepartmentRollupRequest, DepartmentRollupRun, roll_up_departments
from analytics.engine import BatchEngine
from analytics.hot_topics import HotTopicRequest, HotTopicRun, hot_topics
from analytics.hotspots import HotspotRequest, HotspotRun, find_hotspots
from analytics.runs import KeptRun, keep, kept, kept_or_404
from analytics.sensor_forecasts import (
    SensorForecastRequest,
    SensorForecastRun,
    forecast_sensors,
    run_id,
    scope_as_of,
)
from core.exceptions import YiwangError
from graph.ids import asset_category_id
from graph.queries.responsibility import responsible_department
from graph.store import GraphStore

KEPT_RUNS = 64  # batch forecasts held in memory as well (the database holds them all)
Run = TypeVar("Run", bound=BaseModel)


class Analytics:
    def __init__(self, sessions: sessionmaker[Session], graph: GraphStore, shared_dir: Path, engine: BatchEngine) -> None:
        self.sessions, self.graph, self.shared_dir, self.engine = sessions, graph, shared_dir, engine
        self._runs: OrderedDict[str, SensorForecastRun] = OrderedDict()
        self._lock = threading.Lock()
        self._flights: dict[str, threading.Lock] = {}

    def sensor_forecasts(self, request: SensorForecastRequest,
                         progress: Callable[[int], None] | None = None) -> SensorForecastRun:  # fmt: skip
        key = run_id(request, scope_as_of(self.sessions, request))
        with self._lock:
            flight = self._flights.setdefault(key, threading.Lock())
        # One batch per run id at a time: fifty officials asking the same district's forecast at once wait for
        # the first batch and are answered from it (bench/load_bench.py: concurrent copies timed out).
        with flight:
            with self._lock:
                run = self._runs.get(key)
            if run is None and (stored := kept(self.sessions, key)) is not None:
                run = SensorForecastRun.model_validate(stored.result)
            if run is None:
                run = forecast_sensors(self.sessions, self.engine, request, progress)
                keep(self.sessions, "sensor-forecasts", request, run)
            with self._lock:
                self._runs[run.run_id] = run
                while len(self._runs) > KEPT_RUNS:
                    self._runs.popitem(last=False)
                self._flights.pop(key, None)  # those waiting hold it; later callers find the run kept
        return run.model_copy(update={"items": run.items[: request.top]})

    def hotspots(self, request: HotspotRequest, progress: Callable[[int], None] | None = None) -> HotspotRun:
        """Counted afresh each time: one grouped query, cheaper than deciding whether a case came in since."""
        return self._kept("hotspots", request, find_hotspots(self.sessions, self.graph, self.engine, request, progress))

    def department_rollups(self, request: DepartmentRollupRequest,
                           progress: Callable[[int], None] | None = None) -> DepartmentRollupRun:  # fmt: skip
        """Every department's indicators over several periods (and a district), ranked, with its backlog now."""
        return self._kept("department-rollups", request,
                          roll_up_departments(self.sessions, self.graph, self.engine, request, progress))

    def hot_topics(self, request: HotTopicRequest) -> HotTopicRun:
        """Hot issues of the real citizen messages (the 2019 message board), clustered per district block."""
        return self._kept("hot-topics", request, hot_topics(self.engine, request, self.shared_dir))

    def anomalies(self, request: AnomalyScanRequest, progress: Callable[[int], None] | None = None) -> AnomalyScanRun:
        """Sensors unlike themselves in the last hours, each listed with who is responsible for its asset there."""
        run = scan_anomalies(self.sessions, self.engine, request, progress)
        return self._kept("anomalies", request,
                          run.model_copy(update={"items": [self._responsible(item) for item in run.items]}))

    def run(self, run_id: str) -> KeptRun:
        """A run by the id an answer or a memo cited it by."""
        return kept_or_404(self.sessions, run_id)

    def _kept(self, analytic: str, request: BaseModel, run: Run) -> Run:
        keep(self.sessions, analytic, request, run)
        return run

    def _responsible(self, item: SensorAnomaly) -> SensorAnomaly:
        try:
            duty = responsible_department(self.graph, asset_category_id(item.asset_id), grid_id=item.grid_id)
        except YiwangError:  # an asset category without a rule there: the anomaly still stands
            return item
        return item.model_copy(update={"department_id": duty.department.id,
                                       "department": duty.department.properties.get("name")})  # fmt: skip
