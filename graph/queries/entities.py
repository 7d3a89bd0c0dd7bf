"""Entities by name or id: fuzzy search over the named labels, and one node with its neighbours."""

from __future__ import annotations

from core.exceptions import InvalidInput, NotFound
from graph.ids import label_for_id
from graph.models import Entity, Neighbor, NodeDetail
from graph.queries.rows import to_entity
from graph.schema import NAMED_LABELS
from graph.store import GraphStore

MAX_QUERY_CHARS = 200


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
        hits.update({row["props"]["id"]: to_entity(row, 1.0) for row in rows})
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
                hits[node_id] = to_entity(row, score)
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
            neighbors.append(Neighbor(rel=row["rel"], direction=direction, properties=row["rprops"], node=to_entity(row)))
        for row in store.ro_query(f"{match} MATCH {pattern} RETURN type(r) AS rel, count(*) AS n", params):
            counts[f"{row['rel']}:{direction}"] = row["n"]
    return NodeDetail(node=to_entity(rows[0]), neighbors=neighbors, neighbor_counts=counts)
