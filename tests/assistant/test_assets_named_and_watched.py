"""Assets named one by one as officials ask for them (issue 15, session 18; dev17/dev19 misses): the bridges of a
district with the sensors watching each ("都装了监测没有"), lost covers of every kind with their grid, and a
small count named asset by asset while a large one is only counted."""

from __future__ import annotations

import uuid

from assistant.chat import ChatRequest, ChatService
from assistant.lexicon import KIND_NAMES


def _ask(chat: ChatService, text: str) -> str:
    return chat.ask(ChatRequest(message=text, session_id=uuid.uuid4().hex, role="official")).answer


def _district_with(world, category: str) -> tuple[str, int]:
    groups = world.client.asset_stats([category], None, None, "district")["groups"]
    top = max(groups, key=lambda g: g["count"])
    return world.lexicon.nodes[top["key"]].name, top["count"]


def test_each_bridge_listed_says_which_sensors_watch_it(world, chat: ChatService) -> None:
    district, _ = _district_with(world, "component-0204")
    answer = _ask(chat, f"{district}有哪些桥，都装了监测没有")
    code = next(n.id for n in world.lexicon.nodes.values() if n.name == district)
    bridges = world.client.find_assets(None, "component-0204", code, 20)
    sensors = world.client.sensors(district=code)
    for bridge in bridges:
        line = next(line for line in answer.splitlines() if bridge["id"] in line)
        kinds = {s["kind"] for s in sensors if s["asset_id"] == bridge["id"]}
        if kinds:
            assert all(KIND_NAMES[k] in line for k in kinds), line
        else:
            assert "未接入监测" in line, line


def test_lost_covers_of_every_kind_are_listed_with_their_grid(world, chat: ChatService) -> None:
    covers = [n.id for n in world.lexicon.nodes.values() if n.label == "ComponentCategory" and n.name.endswith("井盖")]
    lost = world.client.asset_stats(covers, None, ["丢失"], "district")["groups"]
    top = max(lost, key=lambda g: g["count"])
    answer = _ask(chat, f"{world.lexicon.nodes[top['key']].name}状态为丢失的井盖有哪些？所在网格也列一下")
    listed = [line for line in answer.splitlines() if line.startswith("- ")]
    assert len(listed) == min(top["count"], 20)
    assert all("丢失" in line and "网格 " in line for line in listed)
    if top["count"] <= 20:  # every kind lost there, not the first kind only
        kinds = world.client.asset_stats(covers, top["key"], ["丢失"], "category")["groups"]
        assert {line[2:].split("(")[0] for line in listed} == {world.lexicon.nodes[f"component-{g['key']}"].name
                                                              for g in kinds if g["count"]}


def test_a_small_count_is_named_and_a_large_one_only_counted(world, chat: ChatService) -> None:
    district, count = _district_with(world, "component-0601")
    answer = _ask(chat, f"{district}有几个泵站")
    listed = [line for line in answer.splitlines() if line.startswith("- ")]
    assert f"共 {count} 座" in answer
    assert len(listed) == (count if count <= 10 else 0)
    lamps, many = _district_with(world, "component-0110")
    if many > 10:
        answer = _ask(chat, f"{lamps}有多少盏路灯")
        assert f"{many}" in answer and not any(line.startswith("- ") for line in answer.splitlines())


def test_an_asset_listed_in_a_district_of_many_sensors_finds_its_own() -> None:
    """A3区 has 1050 sensors: the kinds on each asset listed are read from all of them, not the first 1000."""
    from tools.figures import _assets_listed
    from tools.query_spec import FigureQuery

    asset = {"id": "9901030204000001", "name": "桥梁(望岳路)", "properties": {"district": "990103", "status": "完好"}}
    others = [{"asset_id": f"99010301010{i:05d}", "kind": "water_level"} for i in range(1049)]

    class City:
        def find_assets(self, *args: object) -> list[dict]:
            return [asset]

        def sensors(self, kind: str | None = None, district: str | None = None, limit: int = 1000) -> list[dict]:
            return (others + [{"asset_id": asset["id"], "kind": "bridge_strain"}])[:limit]

    query = FigureQuery(measure="assets", district="990103", asset_categories=["component-0204"], list_assets=True,
                        with_sensors=True)
    assert _assets_listed(City(), query)[0].sensors == ["bridge_strain"]  # type: ignore[arg-type]
