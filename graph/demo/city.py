"""Builds A市 in memory: administrative divisions, grids, roads, landmarks, departments, rules, assets
and sensors, all deterministic from one seed. ``graph.demo.files`` writes the result for the loader."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from graph.demo import names
from graph.demo.geometry import Rect, partition, rect_wkt, to_lonlat
from graph.demo.places import read_places
from graph.domain import DomainTables, SensorKind
from graph.ids import asset_code, category_id, community_of, sensor_id

CITY_ID, CITY_NAME, CITY_PREFIX = "990100", "A市", "9901"
BASE_ASSETS, BASE_SENSORS = 50_000, 5_000

# name, extent (km), streets, density of assets relative to area
DISTRICTS: list[tuple[str, Rect, int, float]] = [
    ("A1区", Rect(12, 10, 21, 20), 6, 1.6),
    ("A2区", Rect(12, 0, 21, 10), 7, 1.2),
    ("A3区", Rect(0, 0, 12, 20), 9, 1.0),
    ("A4区", Rect(18, 20, 30, 30), 7, 1.1),
    ("A5区", Rect(21, 0, 30, 20), 7, 1.3),
    ("A6区", Rect(0, 20, 18, 30), 7, 0.6),
    ("A7区", Rect(30, 0, 42, 30), 6, 0.5),
]
MIN_ROADS = {"A1区": 16, "A2区": 16, "A3区": 18, "A4区": 14, "A5区": 16, "A6区": 12, "A7区": 12}
ASSET_STATUS = (("完好", 93), ("破损", 4), ("丢失", 1), ("废弃", 1), ("移除", 1))

RelKey = tuple[str, str, str]  # (type, from label, to label)


@dataclass
class CityData:
    """Nodes by label and relationships by (type, from label, to label), ready to be written."""

    seed: int
    scale: float
    nodes: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))
    rels: dict[RelKey, list[dict]] = field(default_factory=lambda: defaultdict(list))
    # Relationship types that may link the same two nodes more than once, told apart by these props.
    merge_on: dict[str, list[str]] = field(default_factory=lambda: {"RESPONSIBLE_FOR": ["district"]})

    def node(self, label: str, **props: object) -> dict:
        self.nodes[label].append(props)
        return props

    def rel(self, rel_type: str, from_label: str, from_id: str, to_label: str, to_id: str, **props: object) -> None:
        row: dict = {"from": from_id, "to": to_id}
        if props:
            row["props"] = props
        self.rels[(rel_type, from_label, to_label)].append(row)


@dataclass
class _Area:
    """A division under construction (district, street, community or grid) and its rectangle."""

    id: str
    name: str
    rect: Rect
    district: str
    children: list[_Area] = field(default_factory=list)


@dataclass
class _Road:
    id: str
    name: str
    district: str
    horizontal: bool
    at: float  # y of a horizontal road, x of a vertical one (km)
    start: float
    end: float
    grids: list[str] = field(default_factory=list)

    def point(self, fraction: float) -> tuple[float, float]:
        along = self.start + (self.end - self.start) * fraction
        return (along, self.at) if self.horizontal else (self.at, along)

    @property
    def max_number(self) -> int:
        return max(20, int((self.end - self.start) * 100))  # one house number per 10 m


def build_city(domain: DomainTables, places_csv: Path, seed: int, scale: float = 1.0) -> CityData:
    """Generate the whole demo city. Same tables, seed and scale → byte-identical output."""
    city = CityData(seed=seed, scale=scale)
    places = read_places(places_csv)
    reserved = {p["name"] for p in places} | {n for group in names.FIXED_A1.values() for n in group}
    pool = names.NamePool(random.Random(f"{seed}-names"), reserved)
    city.node("City", id=CITY_ID, name=CITY_NAME, search_text=CITY_NAME)
    districts = _divisions(city, places, pool, random.Random(f"{seed}-geo"))
    grids = {g.id: g for d in districts for s in d.children for c in s.children for g in c.children}
    _departments(city, domain, districts)
    _categories_and_rules(city, domain, districts)
    _themes(city, domain)
    _hotline_taxonomy(city, domain, districts)
    roads = _roads(city, places, pool, districts, random.Random(f"{seed}-roads"))
    _landmarks(city, places, pool, districts, roads, grids, random.Random(f"{seed}-landmarks"))
    assets = _assets(city, domain, districts, roads, grids, round(BASE_ASSETS * scale), random.Random(f"{seed}-assets"))
    _sensors(city, domain, assets, round(BASE_SENSORS * scale), random.Random(f"{seed}-sensors"))
    return city


def _by_kind(places: list[dict[str, str]], district: str, kind: str) -> list[str]:
    return [p["name"] for p in places if p["district"] == district and p["kind"] == kind]


def _divisions(city: CityData, places: list[dict[str, str]], pool: names.NamePool, rng: random.Random) -> list[_Area]:
    districts: list[_Area] = []
    for index, (dname, rect, n_streets, _density) in enumerate(DISTRICTS, start=1):
        dcode = f"{CITY_PREFIX}{index:02d}"
        district = _Area(dcode, dname, rect, dcode)
        districts.append(district)
        lon, lat = to_lonlat((rect.x0 + rect.x1) / 2, (rect.y0 + rect.y1) / 2)
        city.node("District", id=dcode, name=dname, admin_code=dcode, lon=lon, lat=lat,
                  polygon_wkt=rect_wkt(rect), search_text=dname)  # fmt: skip
        city.rel("IN", "District", dcode, "City", CITY_ID)
        street_names = pool.take(_distinct_stems(_by_kind(places, dname, "street")), n_streets, names.street_name)
        community_rects = []
        for s_index, (s_rect, s_name) in enumerate(zip(partition(rect, n_streets, rng), street_names, strict=True), 1):
            street = _Area(f"{dcode}{s_index:03d}", s_name, s_rect, dcode)
            district.children.append(street)
            community_rects += [(street, r) for r in partition(s_rect, rng.choice((3, 4)), rng)]
        community_names = pool.take(_by_kind(places, dname, "community"), len(community_rects), names.community_name)
        per_street: dict[str, int] = defaultdict(int)
        for (street, c_rect), c_name in zip(community_rects, community_names, strict=True):
            per_street[street.id] += 1
            community = _Area(f"{street.id}{per_street[street.id]:03d}", c_name, c_rect, dcode)
            street.children.append(community)
            for g_index, g_rect in enumerate(partition(c_rect, rng.choice((3, 4)), rng), start=1):
                community.children.append(_Area(f"{community.id}{g_index:03d}", f"{c_name}第{g_index}网格", g_rect, dcode))
        _emit_divisions(city, district)
    return districts


def _distinct_stems(street_names: list[str]) -> list[str]:
    """暮云街道 and 暮云镇 are one place: keep the first of each stem."""
    seen: set[str] = set()
    kept = []
    for name in street_names:
        stem = name.removesuffix("街道").removesuffix("镇").removesuffix("乡")
        if stem not in seen:
            seen.add(stem)
            kept.append(name)
    return kept


def _emit_divisions(city: CityData, district: _Area) -> None:
    for street in district.children:
        city.node("Street", id=street.id, name=street.name, district=district.id, district_name=district.name,
                  search_text=street.name)  # fmt: skip
        city.rel("IN", "Street", street.id, "District", district.id)
        for community in street.children:
            city.node("Community", id=community.id, name=community.name, street=street.id,
                      district=district.id, search_text=community.name)  # fmt: skip
            city.rel("IN", "Community", community.id, "Street", street.id)
            for grid in community.children:
                r = grid.rect
                lon, lat = to_lonlat((r.x0 + r.x1) / 2, (r.y0 + r.y1) / 2)
                (min_lon, min_lat), (max_lon, max_lat) = to_lonlat(r.x0, r.y0), to_lonlat(r.x1, r.y1)
                city.node("Grid", id=grid.id, name=grid.name, community=community.id, street=street.id,
                          district=district.id, district_name=district.name, street_name=street.name,
                          community_name=community.name, lon=lon, lat=lat, min_lon=min_lon, min_lat=min_lat,
                          max_lon=max_lon, max_lat=max_lat, area_km2=round(r.area, 4),
                          polygon_wkt=rect_wkt(r), search_text=grid.name)  # fmt: skip
                city.rel("IN", "Grid", grid.id, "Community", community.id)


def department_id(key: str, district_code: str | None = None) -> str:
    return f"dept-{district_code}-{key}" if district_code else f"dept-{key}"


def _departments(city: CityData, domain: DomainTables, districts: list[_Area]) -> None:
    for template in domain.departments:
        targets = [(d.id, d.name) for d in districts] if template.level == "district" else [(None, None)]
        for dcode, dname in targets:
            name = template.name.format(district=dname) if dname else template.name
            city.node("Department", id=department_id(template.key, dcode), key=template.key, name=name,
                      short_name=template.short_name, level=template.level, duties=template.duties,
                      aliases=template.aliases, district=dcode or "", district_name=dname or "",
                      search_text="|".join([name, template.short_name, *template.aliases]))  # fmt: skip
    for district in districts:
        for street in district.children:
            title = "办事处" if street.name.endswith("街道") else "人民政府"
            dept = department_id("office", street.id)
            name = f"{district.name}{street.name}{title}"
            city.node("Department", id=dept, key="street_office", name=name, short_name=f"{street.name}{title}",
                      level="street", duties=f"负责{street.name}辖区内城市管理事项的属地协调、巡查和先行处置。",
                      aliases=[f"{street.name}{title}"], district=district.id, district_name=district.name,
                      search_text=f"{name}|{street.name}{title}")  # fmt: skip
            city.rel("COVERS", "Department", dept, "Street", street.id)


def resolve_department(domain: DomainTables, dept_key: str, district_code: str) -> str:
    """The department id a rule's key names in a district (district templates resolve per district)."""
    level = domain.department_by_key[dept_key].level
    return department_id(dept_key, district_code if level == "district" else None)


def _categories_and_rules(city: CityData, domain: DomainTables, districts: list[_Area]) -> None:
    for category in domain.categories:
        label = "ComponentCategory" if category.kind == "component" else "EventCategory"
        node_id = category_id(category.kind, category.code)
        props = category.model_dump(exclude={"dept_key"})
        city.node(label, id=node_id, **props, search_text="|".join([category.name, *category.keywords]))
        for district in districts:
            dept = resolve_department(domain, category.dept_key, district.id)
            city.rel("RESPONSIBLE_FOR", "Department", dept, label, node_id,
                     district=district.id, district_name=district.name,
                     rule_id=f"rule-{category.kind}-{category.code}-{district.id}",
                     sla_hours=category.sla_hours, urgent_sla_hours=category.urgent_sla_hours,
                     basis=category.legal_basis)  # fmt: skip


def _themes(city: CityData, domain: DomainTables) -> None:
    for theme in domain.themes:
        city.node("Theme", id=theme.id, **theme.model_dump(exclude={"code", "categories"}), code=theme.code,
                  search_text="|".join([theme.name, *theme.aliases]))  # fmt: skip
        for category in theme.categories:
            label = "ComponentCategory" if category.startswith("component-") else "EventCategory"
            city.rel("INCLUDES", "Theme", theme.id, label, category)


def _hotline_taxonomy(city: CityData, domain: DomainTables, districts: list[_Area]) -> None:
    routes = {(r.level1, r.level2): r.dept_key for r in domain.hotline_routes}
    ids: dict[tuple[str, ...], str] = {}
    for row in domain.hotline_taxonomy:
        path: tuple[str, ...] = ()
        for level, name in enumerate((row.level1, row.level2, row.level3), start=1):
            parent, path = path, (*path, name)
            if path in ids:
                continue
            siblings = sum(1 for p in ids if len(p) == level and p[:-1] == parent)
            node_id = (ids[parent] if parent else "hl") + f"-{siblings + 1:02d}"
            ids[path] = node_id
            city.node("HotlineCategory", id=node_id, name=name, level=level, path=list(path),
                      search_text="/".join(path))  # fmt: skip
            if parent:
                city.rel("PARENT", "HotlineCategory", node_id, "HotlineCategory", ids[parent])
            if level <= 2:
                dept_key = routes.get((row.level1, name if level == 2 else "*")) or routes[(row.level1, "*")]
                for district in districts:
                    city.rel("RESPONSIBLE_FOR", "Department", resolve_department(domain, dept_key, district.id),
                             "HotlineCategory", node_id, district=district.id, district_name=district.name,
                             rule_id=f"rule-{node_id}-{district.id}")  # fmt: skip


def _roads(city: CityData, places: list[dict[str, str]], pool: names.NamePool, districts: list[_Area],
           rng: random.Random) -> list[_Road]:  # fmt: skip
    roads: list[_Road] = []
    for district in districts:
        mined = _by_kind(places, district.name, "road")
        preferred = (names.FIXED_A1["road"] if district.name == "A1区" else []) + mined
        road_names = pool.take(preferred, max(MIN_ROADS[district.name], len(preferred)), names.road_name)
        rect = district.rect
        horizontals, verticals = road_names[0::2], road_names[1::2]
        for group, horizontal in ((horizontals, True), (verticals, False)):
            lo, hi = (rect.y0, rect.y1) if horizontal else (rect.x0, rect.x1)
            span_lo, span_hi = (rect.x0, rect.x1) if horizontal else (rect.y0, rect.y1)
            for k, name in enumerate(group):
                at = lo + (hi - lo) * (k + rng.uniform(0.25, 0.75)) / len(group)
                length = span_hi - span_lo
                start = span_lo + length * rng.uniform(0, 0.3)
                end = span_hi - length * rng.uniform(0, 0.3)
                roads.append(_Road(f"road-{len(roads) + 1:04d}", name, district.id, horizontal, at, start, end))
    for road in roads:
        district = next(d for d in districts if d.id == road.district)
        (flon, flat), (tlon, tlat) = to_lonlat(*road.point(0)), to_lonlat(*road.point(1))
        city.node("Road", id=road.id, name=road.name, district=road.district, district_name=district.name,
                  orientation="东西" if road.horizontal else "南北", from_lon=flon, from_lat=flat,
                  to_lon=tlon, to_lat=tlat, length_m=round((road.end - road.start) * 1000),
                  max_number=road.max_number, search_text=road.name)  # fmt: skip
        city.rel("IN", "Road", road.id, "District", road.district)
        for street in district.children:
            for community in street.children:
                for grid in community.children:
                    if _crosses(road, grid.rect):
                        road.grids.append(grid.id)
                        city.rel("PASSES", "Road", road.id, "Grid", grid.id)
    _intersections(city, roads)
    return roads


def _crosses(road: _Road, rect: Rect) -> bool:
    lo, hi = (rect.y0, rect.y1) if road.horizontal else (rect.x0, rect.x1)
    span_lo, span_hi = (rect.x0, rect.x1) if road.horizontal else (rect.y0, rect.y1)
    return lo <= road.at <= hi and road.start < span_hi and road.end > span_lo


def _intersections(city: CityData, roads: list[_Road]) -> None:
    for h in (r for r in roads if r.horizontal):
        for v in (r for r in roads if not r.horizontal and r.district == h.district):
            if h.start <= v.at <= h.end and v.start <= h.at <= v.end:
                lon, lat = to_lonlat(v.at, h.at)
                city.rel("INTERSECTS", "Road", h.id, "Road", v.id, lon=lon, lat=lat, name=f"{h.name}与{v.name}交叉口")


def _address(road: _Road, x: float, y: float) -> str:
    along = x if road.horizontal else y
    fraction = min(1.0, max(0.0, (along - road.start) / (road.end - road.start)))
    return f"{road.name}{max(1, round(fraction * road.max_number))}号"


def _nearest_road(roads_in_grid: list[_Road], x: float, y: float) -> _Road | None:
    return min(roads_in_grid, key=lambda r: abs((y if r.horizontal else x) - r.at), default=None)


def _grid_roads(roads: list[_Road]) -> dict[str, list[_Road]]:
    by_grid: dict[str, list[_Road]] = defaultdict(list)
    for road in roads:
        for grid_id in road.grids:
            by_grid[grid_id].append(road)
    return by_grid


def _landmarks(city: CityData, places: list[dict[str, str]], pool: names.NamePool, districts: list[_Area],
               roads: list[_Road], grids: dict[str, _Area], rng: random.Random) -> None:  # fmt: skip
    by_grid = _grid_roads(roads)
    placed: list[tuple[str, str, _Area]] = []  # (name, kind, grid)
    for district in districts:
        district_grids = [g for s in district.children for c in s.children for g in c.children]
        if district.name == "A1区":
            xingfu = next(r for r in roads if r.name == "幸福路")
            for name in pool.take(names.FIXED_A1["landmark"], 1, names.estate_name):
                placed.append((name, "小区", grids[xingfu.grids[len(xingfu.grids) // 2]]))
        mined = [p for p in places if p["district"] == district.name and p["kind"] == "landmark"]
        for name in pool.take([p["name"] for p in mined], len(mined), names.estate_name):
            kind = next((k for k in (*names.FACILITY_KINDS, *names.ESTATE_SUFFIXES, "新城", "小镇") if name.endswith(k)), "小区")
            placed.append((name, kind, rng.choice(district_grids)))
        for street in district.children:
            for community in street.children:
                for name in pool.take([], rng.choice((1, 2)), names.estate_name):
                    placed.append((name, "小区", rng.choice(community.children)))
            for _ in range(2):
                kind = rng.choice(names.FACILITY_KINDS)
                grid = rng.choice(rng.choice(street.children).children)
                placed.append((pool.take([], 1, lambda r, k=kind: names.facility_name(r, k))[0], kind, grid))
    for index, (name, kind, grid) in enumerate(placed, start=1):
        x, y = grid.rect.random_point(rng, margin=0.1)
        lon, lat = to_lonlat(x, y)
        road = _nearest_road(by_grid.get(grid.id, []), x, y)
        landmark_id = f"lm-{index:05d}"
        city.node("Landmark", id=landmark_id, name=name, kind=kind, lon=lon, lat=lat, grid=grid.id,
                  district=grid.district, address=_address(road, x, y) if road else "",
                  search_text=name)  # fmt: skip
        city.rel("IN_GRID", "Landmark", landmark_id, "Grid", grid.id)


def _assets(city: CityData, domain: DomainTables, districts: list[_Area], roads: list[_Road],
            grids: dict[str, _Area], total: int, rng: random.Random) -> list[dict]:  # fmt: skip
    density = {f"{CITY_PREFIX}{i:02d}": d for i, (_n, _r, _s, d) in enumerate(DISTRICTS, start=1)}
    grid_list = list(grids.values())
    grid_weights = [g.rect.area * density[g.district] for g in grid_list]
    names_of = {d.id: d.name for d in districts}
    streets = {c.id: s for d in districts for s in d.children for c in s.children}
    by_grid = _grid_roads(roads)
    weights = [c.weight for c in domain.components]
    counts = [round(total * w / sum(weights)) for w in weights]
    statuses, status_weights = zip(*ASSET_STATUS, strict=True)
    seq: dict[tuple[str, str], int] = defaultdict(int)
    maintainer_names = {d["id"]: d["name"] for d in city.nodes["Department"]}
    assets: list[dict] = []
    epoch = date(2005, 1, 1)
    for category, count in zip(domain.components, counts, strict=True):
        cat_id = category_id("component", category.code)
        for grid in rng.choices(grid_list, cum_weights=_cumulative(grid_weights), k=count):
            seq[(grid.district, category.code)] += 1
            asset_id = asset_code(grid.district, category.code, seq[(grid.district, category.code)])
            x, y = grid.rect.random_point(rng)
            lon, lat = to_lonlat(x, y)
            road = _nearest_road(by_grid.get(grid.id, []), x, y)
            community_id = community_of(grid.id)
            maintainer = resolve_department(domain, category.dept_key, grid.district)
            asset = city.node(
                "Asset", id=asset_id, code=asset_id, name=f"{category.name}({road.name if road else grid.name})",
                category=category.code, category_name=category.name, major=category.major_name,
                grid=grid.id, community=community_id, street=streets[community_id].id, district=grid.district,
                district_name=names_of[grid.district], lon=lon, lat=lat,
                address=f"{_address(road, x, y)}附近" if road else f"{grid.name}内",
                status=rng.choices(statuses, weights=status_weights)[0],
                owner=maintainer_names[maintainer], maintainer=maintainer,
                installed=(epoch + timedelta(days=rng.randrange(7000))).isoformat(), source="2023年部件普查",
            )  # fmt: skip
            assets.append(asset)
            city.rel("IN_GRID", "Asset", asset_id, "Grid", grid.id)
            city.rel("OF_TYPE", "Asset", asset_id, "ComponentCategory", cat_id)
            city.rel("MAINTAINS", "Department", maintainer, "Asset", asset_id)
    return assets


def _cumulative(weights: list[float]) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


def _sensors(city: CityData, domain: DomainTables, assets: list[dict], target: int, rng: random.Random) -> None:
    kinds_of = {c.code: c.sensor_kinds for c in domain.components if c.sensor_kinds}
    eligible = [a for a in assets if a["category"] in kinds_of and a["status"] == "完好"]
    # Every bridge and pump station is monitored; other assets are sampled up to the target.
    always = [a for a in eligible if a["category_name"] in ("桥梁", "泵站")]
    others = [a for a in eligible if a["category_name"] not in ("桥梁", "泵站")]
    rng.shuffle(others)
    made = 0
    monitored: set[str] = set()
    present: set[str] = set()

    def monitor(asset: dict) -> None:
        monitored.add(asset["id"])
        present.update(kinds_of[asset["category"]])
        for seq, kind in enumerate(kinds_of[asset["category"]], start=1):
            _sensor(city, asset, seq, domain.sensor_kind_by_name[kind])

    for asset in always + others:
        if made >= target and asset not in always:
            break
        monitor(asset)
        made += len(kinds_of[asset["category"]])
    # A small city (tests) still has every kind of sensor, so that no branch of the assistant goes untried
    # (a gas question with no gas sensor can only ever be answered "none"); the full city has them all anyway.
    for asset in others:
        if asset["id"] not in monitored and not set(kinds_of[asset["category"]]) <= present:
            monitor(asset)


def _sensor(city: CityData, asset: dict, seq: int, kind: SensorKind) -> None:
    sid = sensor_id(asset["id"], seq)
    city.node("Sensor", id=sid, kind=kind.kind, kind_name=kind.name, name=f"{asset['name']}{kind.name}监测",
              unit=kind.unit, asset=asset["id"], grid=asset["grid"], district=asset["district"],
              lon=asset["lon"], lat=asset["lat"], direction=kind.direction, threshold_watch=kind.watch,
              threshold_warning=kind.warning, threshold_alarm=kind.alarm, range_min=kind.min,
              range_max=kind.max, sampling_s=kind.sampling_s, lifeline=kind.lifeline, status="在线")  # fmt: skip
    city.rel("MONITORS", "Sensor", sid, "Asset", asset["id"])
