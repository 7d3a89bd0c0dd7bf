"""What the offline planner knows the city by: names of districts, streets, roads, landmarks,
departments and categories read from the graph once, plus the sensor kinds and alarm levels."""

from __future__ import annotations

from dataclasses import dataclass, field

from graph.queries.assets import sensor_kinds
from graph.queries.cases import category_majors
from graph.queries.gazetteer import named_entities
from graph.store import GraphStore
from retrievers.entities import EntityGazetteer, Mention

# Colloquial words for sensor kinds (English ones are matched in lower case) (``data/domain/sensor_kinds.csv`` holds the official names).
SENSOR_KIND_WORDS: dict[str, tuple[str, ...]] = {
    "water_level": ("水位", "积水", "内涝", "警戒线", "淹", "water level"),
    "water_pressure": ("水压", "供水压力", "管网压力", "压力", "pressure"),
    "gas_concentration": ("燃气", "可燃气体", "天然气", "煤气", "气体浓度", "gas"),
    "manhole_tilt": ("井盖倾斜", "倾斜角", "倾斜", "tilt"),
    "manhole_displacement": ("井盖位移", "井盖异常", "井盖移位", "位移", "displacement"),
    "bridge_strain": ("应变", "strain"),
    "bridge_deflection": ("挠度", "deflection"),
    "light_status": ("路灯",),
    "pump_status": ("泵站运行", "泵站状态", "停泵"),
    "power_load": ("负载", "变电箱", "电力", "power load"),
}
# Names of the kinds in ``data/domain/sensor_kinds.csv``, for kinds the graph has no sensor of yet.
KIND_NAMES = {"water_pressure": "供水管网压力", "water_level": "积水/管网水位", "manhole_tilt": "井盖倾斜角",
              "manhole_displacement": "井盖位移", "gas_concentration": "可燃气体浓度", "bridge_strain": "桥梁应变",
              "bridge_deflection": "桥梁挠度", "light_status": "路灯状态", "pump_status": "泵站运行状态",
              "power_load": "变电箱负载率"}  # fmt: skip
LEVEL_WORDS: dict[str, tuple[str, ...]] = {
    "alarm": ("报警级", "最高级", "红色", "严重", "alarm级", "alarm 级"),
    "warning": ("预警级", "橙色", "warning级", "warning 级"),
    "watch": ("关注级", "黄色", "watch级", "watch 级"),
}
LEVEL_NAMES = {"watch": "关注", "warning": "预警", "alarm": "报警"}
STATUS_NAMES = {"normal": "正常", "watch": "关注", "warning": "预警", "alarm": "报警"}


@dataclass(frozen=True)
class Named:
    id: str
    label: str
    name: str
    district: str | None = None


@dataclass
class CityLexicon:
    gazetteer: EntityGazetteer  # names, aliases and categories' colloquial keywords: for questions
    names: EntityGazetteer  # names and aliases only: for checking what an answer names
    nodes: dict[str, Named] = field(default_factory=dict)
    sensor_kinds: dict[str, str] = field(default_factory=dict)  # kind → Chinese name
    units: dict[str, str] = field(default_factory=dict)
    majors: list[str] = field(default_factory=list)  # the categories' major classes (大类: 市容环境, 街面秩序…)

    @classmethod
    def from_graph(cls, graph: GraphStore) -> CityLexicon:
        nodes: dict[str, Named] = {}
        for label in ("District", "Street", "Road", "Landmark", "Department", "EventCategory", "ComponentCategory"):
            for entity in named_entities(graph, label):
                nodes[entity.id] = Named(entity.id, label, entity.name, entity.district or None)
        kinds: dict[str, str] = dict(KIND_NAMES)
        units: dict[str, str] = {}
        for kind in sensor_kinds(graph):
            kinds[kind.kind] = kind.name
            units[kind.kind] = kind.unit
        return cls(EntityGazetteer.from_graph(graph, with_keywords=True), EntityGazetteer.from_graph(graph), nodes,
                   kinds, units, sorted(set(category_majors(graph).values()), key=len, reverse=True))  # fmt: skip

    def find(self, text: str, names_only: bool = False) -> list[tuple[Mention, Named]]:
        gazetteer = self.names if names_only else self.gazetteer
        return [(m, self.nodes[m.entity_id]) for m in gazetteer.find(text) if m.entity_id in self.nodes]

    @property
    def vocabulary(self) -> list[str]:
        """Words the planner writes that are not entity names (longest first)."""
        words = {n for name in self.sensor_kinds.values() for n in (name, name.split("(")[0])}
        return sorted(words, key=len, reverse=True)

    def name(self, node_id: str | None) -> str:
        if node_id is None:
            return "全市"
        named = self.nodes.get(node_id)
        return named.name if named else node_id

    def district_id(self, name_or_id: str) -> str | None:
        if name_or_id in self.nodes and self.nodes[name_or_id].label == "District":
            return name_or_id
        return next((n.id for n in self.nodes.values() if n.label == "District" and n.name == name_or_id), None)

    @property
    def districts(self) -> list[Named]:
        return sorted((n for n in self.nodes.values() if n.label == "District"), key=lambda n: n.id)
