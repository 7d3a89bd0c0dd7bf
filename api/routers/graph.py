"""``/v1/graph``: entity search, a node with its neighbours, and responsibility look-up."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.deps import GraphDep
from graph.models import Entity, NodeDetail, Responsibility
from graph.queries.assets import count_assets, find_assets
from graph.queries.entities import MAX_QUERY_CHARS, get_node, search_entities
from graph.queries.maps import MAX_BRIEFS, Brief, CityMap, briefs, city_map
from graph.queries.responsibility import responsible_department
from graph.queries.themes import ThemeSummary, themes

router = APIRouter(prefix="/v1/graph", tags=["graph"])


class EntityList(BaseModel):
    items: list[Entity]


@router.get("/search", response_model=EntityList)
def search(
    graph: GraphDep,
    q: Annotated[str, Query(description="名称、别名或编号 / name, alias or id", max_length=MAX_QUERY_CHARS)],
    label: Annotated[str | None, Query(description="限定实体类型, e.g. Road, Department")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> EntityList:
    """Find districts, streets, grids, roads, landmarks, departments and categories by (fuzzy) name."""
    return EntityList(items=search_entities(graph, q, label=label, limit=limit))


class ThemeList(BaseModel):
    items: list[ThemeSummary]


@router.get("/themes", response_model=ThemeList)
def theme_list(graph: GraphDep) -> ThemeList:
    """The themes memos are written on (汛期排水防涝, 燃气安全…), each with its categories, sensor kinds and policies."""
    return ThemeList(items=themes(graph))


@router.get("/map", response_model=CityMap)
def map_of_the_city(graph: GraphDep) -> CityMap:
    """District and grid outlines ([lon, lat] rings) and the city's bounds, for drawing the city's map."""
    return city_map(graph)


class BriefList(BaseModel):
    items: list[Brief]


@router.get("/briefs", response_model=BriefList)
def brief(graph: GraphDep, ids: Annotated[str, Query(description=f"comma-separated node ids (≤ {MAX_BRIEFS})",
                                                     max_length=20 * MAX_BRIEFS)]) -> BriefList:  # fmt: skip
    """Name, label and place (lon/lat where it has one) of each node asked; ids unknown to the graph are left out."""
    return BriefList(items=briefs(graph, [i.strip() for i in ids.split(",") if i.strip()]))


@router.get("/nodes/{node_id}", response_model=NodeDetail)
def node(graph: GraphDep, node_id: str, limit: Annotated[int, Query(ge=1, le=500)] = 50) -> NodeDetail:
    """One node with its neighbours (``limit`` each way) and the count of every kind of neighbour."""
    return get_node(graph, node_id, neighbor_limit=limit)


@router.get("/responsibility", response_model=Responsibility)
def responsibility(
    graph: GraphDep,
    category: Annotated[str, Query(description="event-0401 / component-0101 / hl-01-02")],
    grid_id: str | None = None,
    district: str | None = None,
) -> Responsibility:
    """The department responsible for a category in a grid or district, with the rule that says so."""
    return responsible_department(graph, category, grid_id=grid_id, district=district)


class AssetCounts(BaseModel):
    total: int
    groups: list[dict]


@router.get("/assets/stats", response_model=AssetCounts)
def asset_stats(
    graph: GraphDep,
    category: Annotated[
        list[str] | None, Query(description="部件类别, 可多个: 0601 / component-0601")
    ] = None,
    district: Annotated[str | None, Query(max_length=16, description="区划代码 990105")] = None,
    status: Annotated[list[str] | None, Query(description="完好、破损、丢失、废弃、移除, 可多个")] = None,
    group_by: Annotated[str | None, Query(description="district、status、category、major (大类)、road (道路)、street 或 grid")] = None,
    name: Annotated[str | None, Query(max_length=50, description="道路或地名, 如 劳动路 (名称或地址含此)")] = None,
) -> AssetCounts:
    """How many assets (部件) of some categories, in a district, on a road and in a state, counted in the graph."""
    groups = count_assets(graph, categories=category, district=district, statuses=status, group_by=group_by, name=name)
    return AssetCounts(total=sum(g["count"] for g in groups), groups=groups if group_by else [])


@router.get("/assets", response_model=EntityList)
def assets(
    graph: GraphDep,
    name: Annotated[
        str | None, Query(max_length=64, description="道路或地名 / road or place in the name or address")
    ] = None,
    category: Annotated[
        str | None, Query(max_length=32, description="部件类别 0204 / component-0204")
    ] = None,
    district: Annotated[str | None, Query(max_length=16, description="区划代码 990105")] = None,
    status: Annotated[list[str] | None, Query(description="完好、破损、丢失、废弃、移除, 可多个")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> EntityList:
    """Assets (部件) by the road or place in their name or address, category, district and state."""
    return EntityList(items=find_assets(graph, name=name, category=category, district=district, statuses=status,
                                        limit=limit))  # fmt: skip
