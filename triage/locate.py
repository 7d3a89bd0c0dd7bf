"""Where a report is: intersections, house numbers, landmarks, communities, roads, streets and districts
named in its text (the graph gazetteer), or the reporter's coordinates → unit grid (point in polygon),
street and district. What cannot be resolved stays null, with the reason."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.text import normalize
from graph.geometry import point_in_polygon
from graph.queries import gazetteer
from graph.queries.places import grid_shapes
from graph.store import GraphStore

HOUSE_NUMBER = re.compile(r"^\s*(\d{1,4})\s*号")
_CONNECTORS = re.compile(r"^\s*(?:和|与|跟|同|交|、|/|\+|x|X|×)\s*$")


@dataclass(frozen=True)
class Place:
    id: str
    label: str
    name: str
    district: str
    lon: float | None = None
    lat: float | None = None
    grid: str | None = None
    street: str | None = None


@dataclass
class Location:
    grid_id: str | None = None
    street_id: str | None = None
    district: str | None = None
    lon: float | None = None
    lat: float | None = None
    how: str = ""  # what the place was resolved from, for the explanation
    cited: list[str] = field(default_factory=list)  # graph node ids that support it


@dataclass(frozen=True)
class Grid:
    id: str
    street: str
    district: str
    box: tuple[float, float, float, float]
    ring: list[tuple[float, float]]


class Gazetteer:
    """The city's places in memory, with the longest-match lookup reports need."""

    def __init__(self, places: list[Place], roads: dict[str, dict], crossings: dict[frozenset[str], tuple[float, float, str]],
                 grids: list[Grid]) -> None:  # fmt: skip
        self.by_surface: dict[str, list[Place]] = {}
        for place in places:
            for surface in {place.name, normalize(place.name)}:
                if len(surface) >= 2:
                    self.by_surface.setdefault(surface, []).append(place)
        self.lengths = sorted({len(s) for s in self.by_surface}, reverse=True)
        self.roads, self.crossings, self.grids = roads, crossings, grids

    @classmethod
    def from_graph(cls, graph: GraphStore) -> Gazetteer:
        places: list[Place] = []
        for district_id, name in gazetteer.district_names(graph).items():
            places.append(Place(district_id, "District", name, district_id))
        for street in gazetteer.streets(graph):
            places.append(Place(street.id, "Street", street.name, street.district, street=street.id))
        for area in gazetteer.communities(graph):
            places.append(Place(area.id, "Community", area.name, area.district, street=area.street))
        roads: dict[str, dict] = {}
        for road in gazetteer.roads(graph):
            p = road.properties
            roads[p["id"]] = p
            places.append(Place(p["id"], "Road", p["name"], p["district"]))
        for landmark in gazetteer.landmarks(graph):
            p = landmark.properties
            places.append(Place(p["id"], "Landmark", p["name"], p["district"], p["lon"], p["lat"], p["grid"]))
        crossings = {frozenset((c.a_id, c.b_id)): (c.lon, c.lat, c.name)
                     for c in gazetteer.road_crossings(graph)}  # fmt: skip
        grids = [Grid(g.id, g.street, g.district, g.box, g.ring) for g in grid_shapes(graph)]
        return cls(places, roads, crossings, grids)

    def mentions(self, text: str) -> list[tuple[int, int, list[Place]]]:
        """Non-overlapping longest matches: (start, end, candidate places)."""
        found, i = [], 0
        while i < len(text):
            for length in self.lengths:
                surface = text[i : i + length]
                if len(surface) == length and surface in self.by_surface:
                    found.append((i, i + length, self.by_surface[surface]))
                    i += length
                    break
            else:
                i += 1
        return found

    def grid_at(self, lon: float, lat: float) -> Grid | None:
        for grid in self.grids:
            x0, y0, x1, y1 = grid.box
            if x0 <= lon <= x1 and y0 <= lat <= y1 and point_in_polygon(lon, lat, grid.ring):
                return grid
        return None

    def _at_point(self, lon: float, lat: float, how: str, cited: list[str]) -> Location:
        grid = self.grid_at(lon, lat)
        if grid is None:
            return Location(lon=lon, lat=lat, how=f"{how}（坐标不在本市任何网格内）", cited=cited)
        return Location(grid.id, grid.street, grid.district, lon, lat, how, [*cited, grid.id])

    def _house(self, road: dict, number: int) -> tuple[float, float] | None:
        if not 1 <= number <= (road.get("max_number") or 0):
            return None
        share = (number - 0.5) / road["max_number"]
        return (road["from_lon"] + share * (road["to_lon"] - road["from_lon"]),
                road["from_lat"] + share * (road["to_lat"] - road["from_lat"]))  # fmt: skip

    def locate(self, text: str, lon: float | None = None, lat: float | None = None,
               found: list[tuple[int, int, list[Place]]] | None = None) -> tuple[Location, str]:  # fmt: skip
        """The best location and a sentence on how it was found (or why not). ``found``: the text's
        ``mentions`` when the caller has them already."""
        if lon is not None and lat is not None:
            location = self._at_point(lon, lat, f"上报坐标 ({lon:.6f}, {lat:.6f})", [])
            return location, location.how
        text = normalize(text)
        found = self.mentions(text) if found is None else found
        # A district the citizen names is where the place is: a road, estate or street of the same name in
        # another district is not it ("A2区幸福里小区" when 幸福里小区 is known only in A1区: A2区, no grid).
        named = {p.district for _s, _e, c in found for p in c if p.label == "District" and p.district}
        if named:
            found = [(s, e, [p for p in c if p.label == "District" or not p.district or p.district in named])
                     for s, e, c in found]  # fmt: skip
        roads = [(s, e, [p for p in c if p.label == "Road"]) for s, e, c in found]
        roads = [(s, e, c) for s, e, c in roads if c]
        # 1. Two roads joined by 和/与/交 (or 路口/交叉口 after them): their intersection.
        for (_s1, e1, c1), (s2, _e2, c2) in zip(roads, roads[1:], strict=False):
            between = text[e1:s2]
            if _CONNECTORS.match(between) or between == "":
                for a in c1:
                    for b in c2:
                        if (crossing := self.crossings.get(frozenset((a.id, b.id)))) is not None:
                            lon_, lat_, name = crossing
                            loc = self._at_point(lon_, lat_, f"交叉口「{name}」", [a.id, b.id])
                            return loc, loc.how
        # 2. A road with a house number: the point along the road.
        for _s, e, candidates in roads:
            if (m := HOUSE_NUMBER.match(text[e:])) is not None:
                for road in candidates:
                    if (point := self._house(self.roads[road.id], int(m.group(1)))) is not None:
                        loc = self._at_point(*point, f"门牌「{road.name}{m.group(1)}号」", [road.id])
                        return loc, loc.how
        # 3. A landmark (estate, school, station…): its grid.
        for _s, _e, candidates in found:
            landmarks = [p for p in candidates if p.label == "Landmark"]
            if len(landmarks) == 1:
                lm = landmarks[0]
                loc = self._at_point(lm.lon, lm.lat, f"地标「{lm.name}」", [lm.id])  # type: ignore[arg-type]
                return loc, loc.how
        # 4. Coarser places: community or street (street known), road or district (district only).
        for label in ("Community", "Street", "Road", "District"):
            for _s, _e, candidates in found:
                matches = [p for p in candidates if p.label == label]
                if len({p.district for p in matches}) == 1:
                    place = matches[0]
                    kind = {"Community": "社区", "Street": "街道", "Road": "道路", "District": "区"}[label]
                    loc = Location(None, place.street, place.district, how=f"{kind}「{place.name}」", cited=[place.id])
                    return loc, f"只能定位到{kind}「{place.name}」，无法确定网格（需要门牌号、交叉口或地标）"
        return Location(how="未识别"), "未能从诉求中识别出地址（没有可匹配的道路、交叉口、门牌、地标或社区），网格与区为空"
