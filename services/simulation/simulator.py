"""Realistic sensor readings for the demo city, deterministic from a seed.

Each reading depends only on (seed, sensor, tick): a diurnal cycle, noise and a slow drift around the
kind's normal value, plus injected incidents — a pipe burst drops pressure on sensors within 1.5 km,
a rainstorm raises water levels across a district, a gas leak spikes one sensor, a manhole cover
tilts and moves.
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.exceptions import InvalidInput
from core.times import CHINA
from graph.geometry import distance_m

INCIDENTS = ("pipe_burst", "rainstorm", "gas_leak", "manhole")
DIURNAL = {"water_pressure": -0.04, "water_level": 0.5, "power_load": 15, "bridge_strain": 20, "gas_concentration": 0.1}


@dataclass(frozen=True)
class SimulatedSensor:
    id: str
    kind: str
    district: str
    lon: float
    lat: float
    normal: float
    noise: float
    range_min: float
    range_max: float


@dataclass(frozen=True)
class Incident:
    kind: str
    target: str  # sensor id (pipe_burst, gas_leak, manhole) or district code (rainstorm)
    start_tick: int


def parse_incident(text: str, start_tick: int = 0) -> Incident:
    """``pipe_burst:S…``, ``rainstorm:990103``, ``gas_leak:S…``, ``manhole:S…`` (``@tick`` optional)."""
    spec, _, at = text.partition("@")
    kind, _, target = spec.partition(":")
    if kind not in INCIDENTS or not target:
        raise InvalidInput(f"事件 {text!r} 无效; 形如 pipe_burst:<传感器>、rainstorm:<区编码>、gas_leak:<传感器>、manhole:<传感器>[@步数]")
    return Incident(kind, target, int(at) if at.isdigit() else start_tick)


def _unit_noise(seed: int, sensor_id: str, tick: int) -> float:
    """A deterministic N(0, 1)-like value for (seed, sensor, tick), independent of call order."""
    digest = hashlib.blake2b(f"{seed}|{sensor_id}|{tick}".encode(), digest_size=8).digest()
    return random.Random(digest).gauss(0, 1)


class Simulator:
    def __init__(self, sensors: list[SimulatedSensor], seed: int, start: datetime, step_s: float = 60,
                 incidents: list[Incident] | None = None) -> None:  # fmt: skip
        self.sensors, self.seed, self.start, self.step = sensors, seed, start, timedelta(seconds=step_s)
        self.incidents: list[Incident] = []
        self._by_id = {s.id: s for s in sensors}
        for incident in incidents or []:
            self.add(incident)

    def add(self, incident: Incident) -> None:
        """Inject an incident (also while running, e.g. from the operations-centre demo endpoint)."""
        if incident.kind == "rainstorm":
            if not any(s.district == incident.target for s in self.sensors):
                raise InvalidInput(f"区 {incident.target} 没有传感器; 用区编码, 如 990103")
        elif incident.target not in self._by_id:
            raise InvalidInput(f"事件的传感器 {incident.target} 不存在")
        self.incidents = [*self.incidents, incident]

    def value(self, sensor: SimulatedSensor, tick: int) -> float:
        at = self.start + self.step * tick
        hour = at.astimezone(CHINA).hour + at.astimezone(CHINA).minute / 60
        if sensor.kind == "light_status":
            value = 1.0 if hour >= 18 or hour < 6 else 0.0
        elif sensor.kind == "pump_status":
            value = 1.0
        else:
            cycle = DIURNAL.get(sensor.kind, 0) * math.sin(2 * math.pi * (hour - 6) / 24)
            drift = 0.002 * sensor.noise * tick ** 0.5 * _unit_noise(self.seed, sensor.id + "drift", 0)
            value = sensor.normal + cycle + drift + sensor.noise * _unit_noise(self.seed, sensor.id, tick)
        value = self._incidents(sensor, tick, value)
        return round(min(sensor.range_max, max(sensor.range_min, value)), 4)

    def _incidents(self, sensor: SimulatedSensor, tick: int, value: float) -> float:
        for incident in self.incidents:
            elapsed = tick - incident.start_tick
            if elapsed < 0:
                continue
            if incident.kind == "pipe_burst" and sensor.kind == "water_pressure":
                burst = self._by_id[incident.target]
                if distance_m(burst.lon, burst.lat, sensor.lon, sensor.lat) <= 1500:
                    value -= min(0.3, 0.05 * (elapsed + 1))  # pressure falls within minutes
            elif incident.kind == "rainstorm" and sensor.kind == "water_level" and sensor.district == incident.target:
                value += min(60.0, 2.0 * (elapsed + 1))  # ponding rises 2 cm per step up to 60 cm
            elif incident.kind == "gas_leak" and sensor.id == incident.target:
                value = 35.0 + 5 * _unit_noise(self.seed, sensor.id + "leak", tick)
            elif incident.kind == "manhole" and sensor.id == incident.target:
                value = 15.0 if sensor.kind == "manhole_tilt" else 80.0
        return value

    def tick(self, tick: int) -> list[dict]:
        at = (self.start + self.step * tick).isoformat()
        return [{"sensor_id": s.id, "ts": at, "value": self.value(s, tick)} for s in self.sensors]
