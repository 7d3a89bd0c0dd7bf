"""Who handles a category where: the responsibility rules (RESPONSIBLE_FOR) and the street office (属地)."""

from __future__ import annotations

from dataclasses import dataclass

from core.exceptions import InvalidInput, NotFound
from graph.ids import label_for_id
from graph.models import Entity, Responsibility, RuleRef
from graph.queries.rows import to_entity
from graph.store import GraphStore


@dataclass(frozen=True)
class RuleSummary:
    """One responsibility rule: a category in a district goes to a department, within ``sla_hours``."""

    category_id: str
    district: str
    district_name: str
    department_id: str
    department_name: str
    rule_id: str
    sla_hours: int | None


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
        office = to_entity(office_rows[0]) if office_rows else None
    rule = row["rule"]
    return Responsibility(
        category=Entity.from_row(row["cl"], row["cp"]), district=Entity.from_row(row["xl"], row["xp"]),
        department=Entity.from_row(row["dl"], row["dp"]), grid_id=grid_id, street_office=office,
        rule=RuleRef(rule_id=rule["rule_id"], sla_hours=rule.get("sla_hours"),
                     urgent_sla_hours=rule.get("urgent_sla_hours"), basis=rule.get("basis")),
    )  # fmt: skip


def all_rules(store: GraphStore) -> list[RuleSummary]:
    """Every responsibility rule (~1,700 in the demo city), in one query."""
    rows = store.ro_query(
        "MATCH (d:Department)-[r:RESPONSIBLE_FOR]->(c) MATCH (x:District {id: r.district}) "
        "RETURN c.id AS category_id, r.district AS district, x.name AS district_name, d.id AS department_id, "
        "d.name AS department_name, r.rule_id AS rule_id, r.sla_hours AS sla_hours")  # fmt: skip
    return [RuleSummary(**row) for row in rows]


def hotline_category_ids(store: GraphStore) -> dict[tuple[str, ...], str]:
    """The 12345 taxonomy's first two levels by path (("劳动和社会保障", "工资福利") → "hl-…"): the levels that
    responsibility rules are written for."""
    rows = store.ro_query("MATCH (h:HotlineCategory) WHERE h.level <= 2 RETURN h.id AS id, h.path AS path")
    return {tuple(row["path"]): row["id"] for row in rows}
