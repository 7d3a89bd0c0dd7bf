"""Officials type fast and ask on: a facility named by its sound (路等), a ranking whose first place is
shared, a report followed by "分类和责任单位给我下"."""

from __future__ import annotations

import uuid

from assistant.chat import ChatService
from core.text import normalize
from tests.assistant.support import ask


def test_a_facility_written_by_its_sound_is_that_facility(world, chat: ChatService) -> None:
    district = world.lexicon.districts[0]
    reply = ask(chat, f"{district.name}路等不亮是哪个单位负责修？")
    calls = [c for c in reply.tool_calls if c.name == "responsible_department"]
    assert calls and calls[0].args["category"] == "component-0110" and calls[0].args["district"] == district.id


def test_a_shared_first_place_is_said_to_be_shared(world, chat: ChatService) -> None:
    counts = {d.name: world.client.case_stats("last30d", d.id)["total"] for d in world.lexicon.districts}
    best = max(counts.values())
    first = [name for name, count in counts.items() if count == best]
    reply = ask(chat, "近30天哪个区案件最多")
    assert all(name in reply.answer for name in first)
    assert ("并列" in reply.answer) == (len(first) > 1)


def test_a_short_request_after_a_report_triages_that_report(world, chat: ChatService) -> None:
    session = uuid.uuid4().hex
    report = f"来电记录：{world.lexicon.districts[1].name}有一段路好几盏路灯白天一直亮着，晚上反而不亮"
    ask(chat, report, session, role="hotline")
    then = ask(chat, "分类和责任单位给我下", session, role="hotline")
    triaged = [c for c in then.tool_calls if c.name == "triage_report"]
    assert triaged and triaged[0].args["text"] == normalize(report) and "路灯" in then.answer


def test_assets_not_intact_are_counted_per_district_and_covers_per_kind(world, chat: ChatService) -> None:
    broken = ["破损", "丢失", "废弃", "移除"]
    stats = world.client.asset_stats(["component-0110"], status=broken, group_by="district")
    reply = ask(chat, "全市路灯现在有几盏不是完好状态的？主要集中在哪几个区")
    assert [c.args.get("asset_status") for c in reply.tool_calls] == [broken]
    assert f"合计 {stats['total']:g} 盏" in reply.answer
    kinds = ask(chat, f"{world.lexicon.districts[0].name}一共有多少个井盖？按雨水、污水、上水这些类型分开说一下")
    assert [c.args.get("group_by") for c in kinds.tool_calls] == ["category"]
    assert "雨水井盖" in kinds.answer and "污水井盖" in kinds.answer


def test_a_case_says_whether_it_was_sent_back_and_the_vitals_are_counted_by_status(world, chat: ChatService) -> None:
    case = world.client.case(world.case_ids[0])
    sent_back = sum(step["action"] == "回退" for step in case["history"])
    answer = ask(chat, f"帮我看下 {case['id']} 有没有被退回过").answer
    assert (f"被回退过 {sent_back} 次" if sent_back else "没有被回退过") in answer
    items = world.client.vitals()
    answer = ask(chat, "全市体征正常、关注、预警、报警各几项").answer
    said = {name: sum(v["status"] == status for v in items)
            for status, name in (("normal", "正常"), ("watch", "关注"), ("warning", "预警"), ("alarm", "报警"))}  # fmt: skip
    assert f"共 {len(items)} 项：" + "、".join(f"{n} {k} 项" for n, k in said.items()) in answer


def test_a_follow_up_naming_two_districts_sets_them_side_by_side(world, chat: ChatService) -> None:
    first, second = world.lexicon.districts[0], world.lexicon.districts[1]
    session = uuid.uuid4().hex
    ask(chat, f"近30天{first.name}一共多少件案子？", session)
    then = ask(chat, f"那{second.name}呢？比{first.name}多还是少", session)
    args = [c.args for c in then.tool_calls if c.name == "query_figures"]
    assert args and set(args[-1]["districts"]) == {first.id, second.id} and "compare_period" not in args[-1]
    counts = {d.name: world.client.case_stats("last30d", d.id)["total"] for d in (first, second)}
    assert all(f"{name} {count} 件" in then.answer for name, count in counts.items())
