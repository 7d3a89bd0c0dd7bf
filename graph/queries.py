"""Domain queries over the city graph, each one named function with parameterised Cypher.

Labels are never taken from user text: they come from the id shape (``graph.ids``) or the schema
whitelist, and every value travels as a query parameter.
"""

from __future__ import annotations

from collections import defaultdict

from core.exceptions import InvalidInput, NotFound
from graph.geometry import (
    KM_PER_DEG_LAT,
    KM_PER_DEG_LON,
    distance_m,
    parse_polygon_wkt,
    point_in_polygon,
)
from graph.ids import component_code, label_for_id
from graph.models import CountRow, Entity, Neighbor, NodeDetail, Responsibility, RuleRef
from graph.schema import NAMED_LABELS
from graph.store import GraphStore

MAX_QUERY_CHARS = 200
MAX_RADIUS_M = 5_000


def _entity(row: dict, score: float | None = None) -> Entity:
    return Entity.from_row(row["labels"], row["props"], score)


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} or {text}


def _match_score(query: str, search_text: str) -> float:
    """How well ``query`` names an entity whose names/aliases are ``search_text`` ('|'-separated)."""
    best = 0.0
    for part in (p for p in search_text.replace("/", "|").split("|") if p):
        if part == query:
            return 1.0
        if len(part) >= 2 and part in query:
            best = max(best, 0.8 + 0.15 * len(part) / len(query))
        elif query in part:
            best = max(best, 0.7 + 0.2 * len(query) / len(part))
        else:
            a, b = _bigrams(query), _bigrams(part)
            best = max(best, 0.7 * 2 * len(a & b) / (len(a) + len(b)))
    return round(best, 4)


def search_entities(store: GraphStore, q: str, label: str | None = None, limit: int = 10) -> list[Entity]:
    """Find named entities (districts, streets, grids, roads, landmarks, departments, categories…)
    by Chinese name, alias, a fuzzy spelling, or an id/code. Best match first.

    Example:
        >>> search_entities(store, "幸福路")[0].label  # doctest: +SKIP
        'Road'
    """
    q = q.strip()
    if not q:
        raise InvalidInput("查询词为空 / the search text is empty; pass q=…")
    if len(q) > MAX_QUERY_CHARS:
        raise InvalidInput(f"查询词过长 ({len(q)} 字), 最多 {MAX_QUERY_CHARS} 字 / query longer than {MAX_QUERY_CHARS} characters")
    labels = _labels_for(label)
    hits: dict[str, Entity] = {}
    id_label = label_for_id(q)
    if id_label and (label is None or label == id_label):
        rows = store.ro_query(f"MATCH (n:{id_label} {{id: $id}}) RETURN labels(n) AS labels, properties(n) AS props", {"id": q})
        hits.update({row["props"]["id"]: _entity(row, 1.0) for row in rows})
    terms = sorted(_bigrams(q)) if len(q) > 1 else [q]
    union = " UNION ALL ".join(
        f"MATCH (n:{name}) WHERE any(t IN $terms WHERE n.search_text CONTAINS t) "
        "RETURN labels(n) AS labels, properties(n) AS props LIMIT 2000"
        for name in labels
        if name != "Asset"
    )
    if union:
        for row in store.ro_query(union, {"terms": terms}):
            score = _match_score(q, row["props"].get("search_text", ""))
            node_id = row["props"]["id"]
            if score >= 0.3 and (node_id not in hits or hits[node_id].score < score):
                hits[node_id] = _entity(row, score)
    ranked = sorted(hits.values(), key=lambda e: (-(e.score or 0), len(e.name), e.id))
    return ranked[:limit]


def _labels_for(label: str | None) -> tuple[str, ...]:
    if label is None:
        return NAMED_LABELS
    if label not in NAMED_LABELS and label != "Asset":
        raise InvalidInput(f"未知的实体类型 {label!r}; 可选 / one of: {', '.join(NAMED_LABELS)}, Asset")
    return (label,)


def _label_or_404(node_id: str) -> str:
    label = label_for_id(node_id)
    if label is None:
        raise NotFound(f"未找到节点 {node_id!r}: 编号格式不符合任何实体类型; 请用 /v1/graph/search 查询")
    return label


def get_node(store: GraphStore, node_id: str, neighbor_limit: int = 50) -> NodeDetail:
    """A node with its neighbours (at most ``neighbor_limit`` each way) and counts of all of them."""
    label = _label_or_404(node_id)
    match = f"MATCH (n:{label} {{id: $id}})"
    rows = store.ro_query(f"{match} RETURN labels(n) AS labels, properties(n) AS props", {"id": node_id})
    if not rows:
        raise NotFound(f"未找到节点 {node_id}; 请检查编号或使用 /v1/graph/search 查询")
    neighbors: list[Neighbor] = []
    counts: dict[str, int] = {}
    for direction, pattern in (("out", "(n)-[r]->(m)"), ("in", "(n)<-[r]-(m)")):
        params = {"id": node_id, "limit": neighbor_limit}
        for row in store.ro_query(
            f"{match} MATCH {pattern} RETURN type(r) AS rel, properties(r) AS rprops, "
            "labels(m) AS labels, properties(m) AS props ORDER BY rel, props.id LIMIT $limit",
            params,
        ):
            neighbors.append(Neighbor(rel=row["rel"], direction=direction, properties=row["rprops"], node=_entity(row)))
        for row in store.ro_query(f"{match} MATCH {pattern} RETURN type(r) AS rel, count(*) AS n", params):
            counts[f"{row['rel']}:{direction}"] = row["n"]
    return NodeDetail(node=_entity(rows[0]), neighbors=neighbors, neighbor_counts=counts)


def asset_by_code(store: GraphStore, code: str) -> Entity:
    """An asset (部件) by its 16-digit identifier."""
    if label_for_id(code) != "Asset":
        raise InvalidInput(f"部件编码 {code!r} 应为 16 位数字 (6 位行政区划 + 2 位大类 + 2 位小类 + 6 位序号)")
    rows = store.ro_query("MATCH (a:Asset {id: $id}) RETURN labels(a) AS labels, properties(a) AS props", {"id": code})
    if not rows:
        raise NotFound(f"未找到部件 {code}; 请检查编码")
    return _entity(rows[0])


def assets_in_area(store: GraphStore, *, category: str | None = None, grid: str | None = None,
                   street: str | None = None, district: str | None = None, limit: int = 100) -> list[Entity]:  # fmt: skip
    """Assets of a component category (code such as ``0101``) in a grid, street or district."""
    area = {"grid": grid, "street": street, "district": district}
    given = {k: v for k, v in area.items() if v}
    if len(given) != 1:
        raise InvalidInput("请指定且只指定一个范围: grid、street 或 district / give exactly one area")
    (field, value), = given.items()
    where = [f"a.{field} = $area"] + (["a.category = $category"] if category else [])
    rows = store.ro_query(
        f"MATCH (a:Asset) WHERE {' AND '.join(where)} RETURN labels(a) AS labels, properties(a) AS props "
        "ORDER BY props.id LIMIT $limit",
        {"area": value, "category": category, "limit": limit},
    )
    return [_entity(row) for row in rows]


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
        (d, row["id"]) for row in candidates if (d := distance_m(lon, lat, row["lon"], row["lat"])) <= radius_m
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
        entity = _entity(by_id[asset_id])
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
    return [_entity(row) for row in rows]


def grid_at(store: GraphStore, lon: float, lat: float) -> Entity | None:
    """The unit grid containing a point (point in polygon), or ``None`` outside the city."""
    rows = store.ro_query(
        "MATCH (g:Grid) WHERE g.min_lon <= $lon AND g.max_lon >= $lon AND g.min_lat <= $lat AND g.max_lat >= $lat "
        "RETURN labels(g) AS labels, properties(g) AS props ORDER BY props.id",
        {"lon": lon, "lat": lat},
    )
    for row in rows:
        if point_in_polygon(lon, lat, parse_polygon_wkt(row["props"]["polygon_wkt"])):
            return _entity(row)
    return None


def responsible_department(store: GraphStore, category_id: str, *, grid_id: str | None = None,
                           district: str | None = None) -> Responsibility:  # fmt: skip
    """Who handles a category (``event-0401`` / ``component-0101`` / ``hl-…``) in a grid or district,
    with the responsibility rule that says so and, for a grid, the street office (属地)."""
    label = label_for_id(category_id)
    if label not in ("EventCategory", "ComponentCategory", "HotlineCategory"):
        raise InvalidInput(f"类别编号 {category_id!r} 无效; 形如 event-0401、component-0101 或 hl-01-02")
    if bool(grid_id) == bool(district):
        raise InvalidInput("请指定网格 grid_id 或区 district 之一 / give a grid or a district")
    street_id = None
    if grid_id:
        grid_rows = store.ro_query("MATCH (g:Grid {id: $id}) RETURN g.district AS district, g.street AS street", {"id": grid_id})
        if not grid_rows:
            raise NotFound(f"未找到网格 {grid_id}; 请检查编号或使用 /v1/graph/search 查询")
        district, street_id = grid_rows[0]["district"], grid_rows[0]["street"]
    rows = store.ro_query(
        f"MATCH (d:Department)-[r:RESPONSIBLE_FOR]->(c:{label} {{id: $category}}) WHERE r.district = $district "
        "MATCH (x:District {id: $district}) "
        "RETURN labels(d) AS dl, properties(d) AS dp, properties(r) AS rule, labels(c) AS cl, properties(c) AS cp, "
        "labels(x) AS xl, properties(x) AS xp LIMIT 1",
        {"category": category_id, "district": district},
    )
    if not rows:
        raise NotFound(f"没有 {category_id} 在 {district} 的责任规则; 请检查类别和区划编号")
    row = rows[0]
    office = None
    if street_id:
        office_rows = store.ro_query(
            "MATCH (o:Department)-[:COVERS]->(:Street {id: $street}) RETURN labels(o) AS labels, properties(o) AS props",
            {"street": street_id},
        )
        office = _entity(office_rows[0]) if office_rows else None
    rule = row["rule"]
    return Responsibility(
        category=Entity.from_row(row["cl"], row["cp"]), district=Entity.from_row(row["xl"], row["xp"]),
        department=Entity.from_row(row["dl"], row["dp"]), grid_id=grid_id, street_office=office,
        rule=RuleRef(rule_id=rule["rule_id"], sla_hours=rule.get("sla_hours"),
                     urgent_sla_hours=rule.get("urgent_sla_hours"), basis=rule.get("basis")),
    )  # fmt: skip


def counts_by_type_and_district(store: GraphStore) -> list[CountRow]:
    """Node counts per label, and assets and sensors per district and type."""
    out = [CountRow(label=r["label"], district=None, type=None, count=r["n"])
           for r in store.ro_query("MATCH (n) RETURN labels(n)[0] AS label, count(*) AS n ORDER BY label")]  # fmt: skip
    for label, type_field in (("Asset", "category_name"), ("Sensor", "kind")):
        rows = store.ro_query(
            f"MATCH (n:{label}) RETURN n.district AS district, n.{type_field} AS type, count(*) AS n "
            "ORDER BY district, type"
        )
        out += [CountRow(label=label, district=r["district"], type=r["type"], count=r["n"]) for r in rows]
    return out


def district_totals(rows: list[CountRow], label: str) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for row in rows:
        if row.label == label and row.district:
            totals[row.district] += row.count
    return dict(totals)


def find_assets(store: GraphStore, *, name: str | None = None, category: str | None = None,
                district: str | None = None, limit: int = 20) -> list[Entity]:  # fmt: skip
    """Assets whose name or address contains ``name`` (a road, a landmark…), optionally of a component
    category (``0101`` or ``component-0101``) and in a district. Assets are named ``类别(道路)``."""
    if not (name or category or district):
        raise InvalidInput("请至少给出名称、类别或区之一 / give a name, a category or a district")
    where = []
    if name:
        where.append("(a.name CONTAINS $name OR a.address CONTAINS $name)")
    if category:
        where.append("a.category = $category")
    if district:
        where.append("a.district = $district")
    rows = store.ro_query(
        f"MATCH (a:Asset) WHERE {' AND '.join(where)} RETURN labels(a) AS labels, properties(a) AS props "
        "ORDER BY props.id LIMIT $limit",
        {"name": name, "category": component_code(category or ""), "district": district,
         "limit": limit},
    )  # fmt: skip
    return [_entity(row) for row in rows]
