"""Assets (部件) and the sensors on them: by code, by area, near a point, by name; sensors of an asset; every
sensor, as the monitoring registry and the reading simulator need it; the kinds of sensor present."""

from __future__ import annotations

from dataclasses import dataclass

from core.exceptions import InvalidInput, NotFound
from graph.geometry import KM_PER_DEG_LAT, KM_PER_DEG_LON, distance_m
from graph.ids import category_id, component_code, label_for_id
from graph.models import Entity
from graph.queries.cases import category_majors
from graph.queries.rows import to_entity
from graph.store import GraphStore

MAX_RADIUS_M = 5_000


@dataclass(frozen=True)
class SensorRecord:
    """A sensor with what the monitoring registry keeps of it: where, its thresholds, its valid range."""

    id: str
    kind: str
    name: str
    unit: str
    asset_id: str
    grid_id: str
    district: str
    direction: str
    watch: float | None
    warning: float | None
    alarm: float
    range_min: float
    range_max: float


@dataclass(frozen=True)
class SensorKindName:
    """A kind of sensor present in the graph, its Chinese name and unit."""

    kind: str
    name: str
    unit: str


@dataclass(frozen=True)
class SensorSite:
    """A sensor's kind and position: what the reading simulator needs."""

    id: str
    kind: str
    district: str
    lon: float
    lat: float


def asset_by_code(store: GraphStore, code: str) -> Entity:
    """An asset (部件) by its 16-digit identifier."""
    if label_for_id(code) != "Asset":
        raise InvalidInput(
            f"部件编码 {code!r} 应为 16 位数字 (6 位行政区划 + 2 位大类 + 2 位小类 + 6 位序号)"
        )
    rows = store.ro_query(
        "MATCH (a:Asset {id: $id}) RETURN labels(a) AS labels, properties(a) AS props", {"id": code}
    )
    if not rows:
        raise NotFound(f"未找到部件 {code}; 请检查编码")
    return to_entity(rows[0])


def assets_in_area(store: GraphStore, *, category: str | None = None, grid: str | None = None,
                   street: str | None = None, district: str | None = None, limit: int = 100) -> list[Entity]:  # fmt: skip
    """Assets of a component category (code such as ``0101``) in a grid, street or district."""
    area = {"grid": grid, "street": street, "district": district}
    given = {k: v for k, v in area.items() if v}
    if len(given) != 1:
        raise InvalidInput("请指定且只指定一个范围: grid、street 或 district / give exactly one area")
    ((field, value),) = given.items()
    where = [f"a.{field} = $area"] + (["a.category = $category"] if category else [])
    rows = store.ro_query(
        f"MATCH (a:Asset) WHERE {' AND '.join(where)} RETURN labels(a) AS labels, properties(a) AS props "
        "ORDER BY props.id LIMIT $limit",
        {"area": value, "category": category, "limit": limit},
    )
    return [to_entity(row) for row in rows]


def assets_within(store: GraphStore, lon: float, lat: float, radius_m: float, *, category: str | None = None,
                  limit: int = 100) -> list[Entity]:  # fmt: skip
    """Assets within ``radius_m`` metres of a point, nearest first (``properties.distance_m`` set)."""
    if not 0 < radius_m <= MAX_RADIUS_M:
        raise InvalidInput(f"半径应在 0–{MAX_RADIUS_M} 米之间 / radius must be in (0, {MAX_RADIUS_M}] metres")
    dlon, dlat = radius_m / 1000 / KM_PER_DEG_LON, radius_m / 1000 / KM_PER_DEG_LAT
    box = {"min_lon": lon - dlon, "max_lon": lon + dlon, "min_lat": lat - dlat, "max_lat": lat + dlat}
    grids = [row["id"] for row in store.ro_query(
        "MATCH (g:Grid) WHERE g.max_lon >= $min_lon AND g.min_lon <= $max_lon AND g.max_lat >= $min_lat "
        "AND g.min_lat <= $max_lat RETURN g.id AS id", box)]  # fmt: skip
    if not grids:
        return []
    category_filter = " AND a.category = $category" if category else ""
    # Coordinates first, full properties only for the nearest ``limit``: a dense 1M-asset district has
    # hundreds of candidates in a box, and shipping all their properties costs more than the search.
    candidates = store.ro_query(
        "MATCH (a:Asset) WHERE a.grid IN $grids AND a.lon >= $min_lon AND a.lon <= $max_lon "
        f"AND a.lat >= $min_lat AND a.lat <= $max_lat{category_filter} RETURN a.id AS id, a.lon AS lon, a.lat AS lat",
        {**box, "grids": grids, "category": category},
    )
    nearest = sorted(
        (d, row["id"])
        for row in candidates
        if (d := distance_m(lon, lat, row["lon"], row["lat"])) <= radius_m
    )[:limit]
    if not nearest:
        return []
    rows = store.ro_query(
        "MATCH (a:Asset) WHERE a.id IN $ids RETURN labels(a) AS labels, properties(a) AS props",
        {"ids": [asset_id for _, asset_id in nearest]},
    )
    by_id = {row["props"]["id"]: row for row in rows}
    found = []
    for distance, asset_id in nearest:
        entity = to_entity(by_id[asset_id])
        entity.properties["distance_m"] = round(distance, 1)
        found.append(entity)
    return found


def sensors_of_asset(store: GraphStore, asset_id: str) -> list[Entity]:
    """The sensors that monitor an asset (with kind, unit and thresholds)."""
    asset_by_code(store, asset_id)
    rows = store.ro_query(
        "MATCH (s:Sensor)-[:MONITORS]->(a:Asset {id: $id}) RETURN labels(s) AS labels, properties(s) AS props "
        "ORDER BY props.id",
        {"id": asset_id},
    )
    return [to_entity(row) for row in rows]


def _asset_filter(*, name: str | None = None, categories: bool = False, district: str | None = None,
                  statuses: bool = False) -> str:  # fmt: skip
    """The WHERE of an asset search or count: by name or address (a road, a landmark), category list,
    district and states; the parameters are $name, $categories, $district, $statuses."""
    where = ["true"]
    if name:
        where.append("(a.name CONTAINS $name OR a.address CONTAINS $name)")
    if categories:
        where.append("a.category IN $categories")
    if district:
        where.append("a.district = $district")
    if statuses:
        where.append("a.status IN $statuses")
    return " AND ".join(where)


def find_assets(store: GraphStore, *, name: str | None = None, category: str | None = None,
                district: str | None = None, statuses: list[str] | None = None, limit: int = 20) -> list[Entity]:  # fmt: skip
    """Assets whose name or address contains ``name`` (a road, a landmark…), optionally of a component
    category (``0101`` or ``component-0101``), in a district and in some states (完好/破损/丢失…). Assets are
    named ``类别(道路)``."""
    if not (name or category or district):
        raise InvalidInput("请至少给出名称、类别或区之一 / give a name, a category or a district")
    where = _asset_filter(name=name, district=district)
    if category:
        where += " AND a.category = $category"
    if statuses:
        where += " AND a.status IN $statuses"
    rows = store.ro_query(
        f"MATCH (a:Asset) WHERE {where} RETURN labels(a) AS labels, properties(a) AS props "
        "ORDER BY props.id LIMIT $limit",
        {"name": name, "category": component_code(category or ""), "district": district, "statuses": statuses or [],
         "limit": limit},
    )  # fmt: skip
    return [to_entity(row) for row in rows]


# Assets are named 类别(道路): the road is the name's part in brackets (the address holds a house number too).
ASSET_GROUPS = {"district": "a.district", "status": "a.status", "category": "a.category", "street": "a.street",
                "grid": "a.grid", "road": "split(split(a.name, '(')[1], ')')[0]", None: "''"}
# Every grouping count_assets takes: the columns above, and each category folded into its class (大类).
ASSET_GROUPINGS = {*(g for g in ASSET_GROUPS if g), "major"}


def count_assets(
    store: GraphStore,
    *,
    categories: list[str] | None = None,
    district: str | None = None,
    statuses: list[str] | None = None,
    group_by: str | None = None,
    name: str | None = None,
) -> list[dict]:
    """How many assets of some component categories, in a district, on a road or place (``name``), in some
    states (完好/破损/丢失…), counted in the graph, per district, state, category, road, street or grid when asked:
    [{"key", "count"}] ("" = all)."""
    if group_by == "major":
        # "部件按大类统计": each category's count folded into its class (公用设施, 道路交通…)
        majors = category_majors(store)
        folded: dict[str, int] = {}
        for row in count_assets(store, categories=categories, district=district, statuses=statuses, group_by="category", name=name):
            major = majors.get(category_id("component", row["key"]), "其他")
            folded[major] = folded.get(major, 0) + row["count"]
        return [{"key": k, "count": n} for k, n in sorted(folded.items())]
    key = ASSET_GROUPS.get(group_by)
    if key is None:
        raise InvalidInput("group_by 应为 district、status、category、major、road、street 或 grid")
    where = _asset_filter(name=name, categories=bool(categories), district=district, statuses=bool(statuses))
    rows = store.ro_query(f"MATCH (a:Asset) WHERE {where} RETURN {key} AS key, count(*) AS n ORDER BY key",
                          {"categories": [component_code(c) for c in categories or []], "district": district,
                           "statuses": statuses or [], "name": name})  # fmt: skip
    return [{"key": str(r["key"] or ""), "count": int(r["n"])} for r in rows]


def all_sensors(store: GraphStore) -> list[SensorRecord]:
    rows = store.ro_query(
        "MATCH (s:Sensor) RETURN s.id AS id, s.kind AS kind, s.name AS name, s.unit AS unit, s.asset AS asset_id, "
        "s.grid AS grid_id, s.district AS district, s.direction AS direction, s.threshold_watch AS watch, "
        "s.threshold_warning AS warning, s.threshold_alarm AS alarm, s.range_min AS range_min, s.range_max AS range_max"
    )
    return [SensorRecord(**row) for row in rows]


def sensor_sites(store: GraphStore) -> list[SensorSite]:
    """Every sensor's kind and position, in id order."""
    rows = store.ro_query("MATCH (s:Sensor) RETURN s.id AS id, s.kind AS kind, s.district AS district, "
                          "s.lon AS lon, s.lat AS lat ORDER BY id")  # fmt: skip
    return [SensorSite(**row) for row in rows]


def sensor_kinds(store: GraphStore) -> list[SensorKindName]:
    rows = store.ro_query(
        "MATCH (s:Sensor) RETURN DISTINCT s.kind AS kind, s.kind_name AS name, s.unit AS unit"
    )
    return [SensorKindName(**row) for row in rows]
