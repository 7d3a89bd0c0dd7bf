"""The province's screen in Chromium: its cities side by side with the figures they sent (each cited to its
batch), and a 督办 sent down from the screen, taken in by the city and shown received with the case's state."""

from __future__ import annotations

import httpx
import pytest
from federation_support import make_city, served_province
from playwright.sync_api import expect
from screen_support import Console, serious_violations, shoot

from services.dispatch.cases import list_cases
from services.dispatch.models import CaseFilter
from services.dispatch.stats import case_stats
from services.federation import push

TIMEOUT = 20_000


@pytest.fixture
def province_screen(base_settings, graph, tmp_path, browser):
    if graph.backend != "falkordb-embedded":
        pytest.skip("one graph engine is enough")
    with served_province(base_settings, graph, f"sqlite:///{tmp_path / 'province.db'}") as province:
        cities = [make_city(base_settings, graph, tmp_path, "990100", "A市", 11, province),
                  make_city(base_settings, graph, tmp_path, "990200", "B市", 22, province)]  # fmt: skip
        for city in cities:
            push.publish(city.sessions, graph, city.settings)
        context = browser.new_context(viewport={"width": 1440, "height": 960}, locale="zh-CN")
        context.add_init_script(f"localStorage.setItem('yiwang-key', {province.admin!r})")
        page = context.new_page()
        console = Console(page)
        page.goto(province.url + "/")
        yield page, console, province, cities
        context.close()


def test_the_province_compares_its_cities_and_sends_a_supervision_order(province_screen, graph) -> None:
    page, console, province, cities = province_screen
    expect(page.locator("#platform")).to_contain_text("西地省", timeout=TIMEOUT)
    expect(page.locator("#nav a[data-page=overview]")).to_be_hidden()  # a province has no city map of its own
    rows = page.locator("#compare tr[data-source]")
    expect(rows).to_have_count(2, timeout=TIMEOUT)
    month = page.locator("#src-h").inner_text().split("本月 ")[1][:7]
    for city in cities:
        with city.sessions() as session:
            own = case_stats(session, month).total
        cell = page.locator(f"#compare tr[data-source='{city.settings.platform_code}'] td.total")
        assert cell.inner_text().split("#")[0].strip() == str(own)
        expect(cell.locator("sup.cite-mark")).to_have_count(1)  # cited to the batch it came in
    with cities[0].sessions() as session:
        case = list_cases(session, CaseFilter(open=True), limit=1).items[0]
    page.select_option("#o-target", "990100")
    page.fill("#o-case", case.id)
    page.fill("#o-text", "群众反映强烈，请今日办结")
    page.click("#order-form button")
    order = page.locator("#orders tr[data-order]").first
    expect(order).to_contain_text("待接收", timeout=TIMEOUT)
    push.publish(cities[0].sessions, graph, cities[0].settings)  # the city takes it in when it next publishes
    page.reload()
    expect(page.locator("#orders tr[data-order]").first.locator("td.state")).to_have_text(case.state, timeout=TIMEOUT)
    expect(page.locator("#orders tr[data-order]").first).to_contain_text("已记入案件流转记录")
    shoot(page, "province")
    assert serious_violations(page) == []
    assert console.errors() == []
    listed = httpx.get(f"{province.url}/v1/federation/orders", headers={"Authorization": f"Bearer {province.admin}"})
    assert listed.json()["items"][0]["case_id"] == case.id
    page.click("#nav a[data-page=memos]")  # a memo across the cities, written at the province
    page.fill("#topic", "各市城市运行情况")
    page.click("#memo-form button")
    expect(page.locator("#memo-body")).to_contain_text("按期处置率", timeout=60_000)
    expect(page.locator("#memo-refs li").first).to_contain_text("批次 #")
    assert console.errors() == []
