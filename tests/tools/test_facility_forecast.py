"""A sensor kind forecast on one kind of facility ("A3区那几个泵站的水位未来24小时"): only the sensors on those
facilities are forecast, each; a kind of facility with no such sensor is said in a sentence."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from core.exceptions import NotFound
from graph.ids import asset_category_id
from services.db import make_engine, migrate, session_factory
from services.monitoring.readings import ReadingIn, ingest
from services.monitoring.registry import Registry, sync_sensors
from services.monitoring.tables import SensorRow
from tools.client import LocalServices
from tools.figures import run_query
from tools.query_spec import FigureQuery


def test_only_the_sensors_on_the_facilities_named_are_forecast(doc_graph, doc_settings, db_url: str) -> None:
    engine = make_engine(db_url)
    migrate(engine)
    sessions = session_factory(engine)
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    with sessions() as session:
        sync_sensors(session, doc_graph)
        session.commit()
        levels = session.query(SensorRow).filter(SensorRow.kind == "water_level").order_by(SensorRow.id).all()
        on_pump = next((s for s in levels if asset_category_id(s.asset_id) == "component-0601"), None)
        if on_pump is None:
            pytest.skip("the small city has no water-level sensor on a pumping station")
        elsewhere = next(s for s in levels if s.district == on_pump.district and s.id != on_pump.id
                         and asset_category_id(s.asset_id) != "component-0601")  # fmt: skip
        registry = Registry()
        registry.load(session)
        # Four days of a daily cycle on both; the one elsewhere reads higher (an area forecast would rank it first).
        readings = [ReadingIn(sensor_id=sensor.id, ts=now - timedelta(minutes=30 * i),
                              value=round(base + 3 * math.sin(2 * math.pi * i / 48), 3))
                    for sensor, base in ((on_pump, 8.0), (elsewhere, 30.0)) for i in range(48 * 4)]  # fmt: skip
        ingest(session, registry, readings, now=now)
        session.commit()
    client = LocalServices(doc_graph, sessions, doc_settings.shared_dir)
    query = FigureQuery(measure="forecast", sensor_kind="water_level", district=on_pump.district,
                        asset_categories=["component-0601"], horizon=12)  # fmt: skip
    figures = run_query(client, query, [])
    assert [r.key for r in figures.rows] == [on_pump.id]
    assert figures.rows[0].interval and figures.unit == "cm"
    with pytest.raises(NotFound, match="这类设施上没有该类传感器"):
        run_query(client, query.model_copy(update={"asset_categories": ["component-0110"]}), [])
    engine.dispose()
