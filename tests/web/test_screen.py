"""One test per flow of the operations screen, in Chromium: what a person on duty sees and clicks."""

from __future__ import annotations

import httpx
from playwright.sync_api import expect
from screen_support import serious_violations, shoot

TIMEOUT = 20_000


def _api(screen, role: str, method: str, path: str, **kwargs) -> httpx.Response:
    return httpx.request(method, screen.url + path, headers={"Authorization": f"Bearer {screen.keys[role]}"},
                         timeout=30, **kwargs)  # fmt: skip


def test_overview_shows_vitals_and_the_grid_map_and_an_injected_incident_appears(screen, open_screen) -> None:
    page, console = open_screen("admin", "overview")
    vitals = _api(screen, "admin", "GET", "/v1/monitoring/vitals").json()["items"]
    city = _api(screen, "admin", "GET", "/v1/graph/map").json()
    expect(page.locator(".tile")).to_have_count(len(vitals), timeout=TIMEOUT)
    expect(page.locator(".citymap .grids path")).to_have_count(len(city["grids"]))
    expect(page.locator(".citymap .labels text")).to_have_count(len(city["districts"]))
    alarm_tile = page.locator(".tile[data-code=gas_leak_alarms] .value")
    before = int(alarm_tile.inner_text().rstrip("起"))
    # A gas leak injected into the running simulator: the next readings open an alarm, the screen shows it.
    sensors = _api(screen, "admin", "GET", "/v1/monitoring/sensors", params={"kind": "gas_concentration"}).json()["items"]
    injected = _api(screen, "admin", "POST", "/v1/monitoring/simulator/incidents", json={"incident": f"gas_leak:{sensors[0]['id']}"})
    assert injected.status_code == 201, injected.text
    point = page.locator(f".citymap .points circle[aria-label*='{sensors[0]['id']}']")
    expect(point).to_have_count(1, timeout=30_000)
    expect(alarm_tile).to_have_text(f"{before + 1}起", timeout=TIMEOUT)
    point.click()
    expect(page.locator("#alarm-detail")).to_contain_text(sensors[0]["id"])
    expect(page.locator("#alarm-chart canvas")).to_have_count(1, timeout=TIMEOUT)
    shoot(page, "overview")
    assert serious_violations(page) == []
    assert console.errors() == []


def test_ask_and_the_answer_streams_with_citations_and_survives_a_reload(open_screen) -> None:
    page, console = open_screen("official", "chat")
    page.fill("#msg", "A3区道路积水归哪个部门管？")
    page.press("#msg", "Enter")
    reply = page.locator(".turn .reply").last
    expect(reply.locator(".cites details").first).to_be_visible(timeout=TIMEOUT)
    expect(reply.locator(".badge.mode")).to_have_text("离线规划")
    expect(reply.locator(".trace summary")).to_contain_text("工具调用")
    answer = reply.locator(".a").inner_text()
    assert "A3区" in answer
    graph_citation = reply.locator(".cites details[data-kind=graph]").first
    graph_citation.locator("summary").click()
    expect(graph_citation.locator(".source")).not_to_be_empty(timeout=TIMEOUT)
    shoot(page, "chat")
    page.reload()
    expect(page.locator(".turn .reply .a").first).to_have_text(answer, timeout=TIMEOUT)
    assert serious_violations(page) == []
    assert console.errors() == []


def test_a_write_the_assistant_prepared_runs_only_when_confirmed(screen, open_screen) -> None:
    grid = _api(screen, "admin", "GET", "/v1/graph/map").json()["grids"][0]["id"]
    case = _api(screen, "hotline", "POST", "/v1/cases",
                json={"text": "路灯不亮了", "category_code": "component-0101", "grid_id": grid}).json()  # fmt: skip
    page, console = open_screen("dispatcher", "chat")
    page.fill("#msg", f"把案件{case['id']}立案")
    page.press("#msg", "Enter")
    confirm = page.locator(".turn .confirm").last
    expect(confirm.locator("button.yes")).to_be_visible(timeout=TIMEOUT)
    assert _api(screen, "admin", "GET", f"/v1/cases/{case['id']}").json()["state"] == "受理"  # nothing yet
    confirm.locator("button.yes").click()
    expect(page.locator(".turn .q").last).to_have_text("确认执行", timeout=TIMEOUT)
    expect(page.locator(".turn .reply .a").last).to_contain_text(case["id"], timeout=TIMEOUT)
    moved = _api(screen, "admin", "GET", f"/v1/cases/{case['id']}").json()
    assert moved["state"] == "立案" and moved["history"][-1]["actor"] == "demo-dispatcher"
    assert console.errors() == []


def test_triage_then_confirm_puts_the_case_on_the_board(open_screen) -> None:
    page, console = open_screen("hotline", "triage")
    page.fill("#report", "幸福路和纬二路交叉口那个井盖没了，晚上黑乎乎的很危险，电话13912345678")
    page.click("#triage-form button")
    expect(page.locator("#category")).to_be_visible(timeout=TIMEOUT)
    expect(page.locator(".redacted")).not_to_contain_text("13912345678")
    expect(page.locator(".citymap .grids path.selected")).to_have_count(1)
    page.click("#case-form button")
    created = page.locator("#new-case")
    expect(created).to_be_visible(timeout=TIMEOUT)
    case_id = created.inner_text()
    shoot(page, "triage")
    created.click()
    expect(page.locator("#case-list tr[data-id]").first).to_have_attribute("data-id", case_id, timeout=TIMEOUT)
    expect(page.locator("#detail-id")).to_have_text(case_id, timeout=TIMEOUT)
    assert serious_violations(page) == []
    assert console.errors() == []


def test_a_report_sent_before_the_map_has_drawn_is_triaged_not_lost(screen, open_screen) -> None:
    page, console = open_screen("hotline", "overview")
    page.route("**/v1/graph/map", lambda route: route.abort())  # the map never comes
    page.goto(f"{screen.url}/#/triage")
    page.reload()
    page.fill("#report", "幸福路和纬二路交叉口那个井盖没了")
    page.click("#triage-form button")
    expect(page.locator("#category")).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("#report")).to_have_value("幸福路和纬二路交叉口那个井盖没了")
    expect(page.locator("#grid-name")).to_contain_text("网格")


def test_a_dispatcher_moves_a_case_and_a_refused_move_is_said(screen, open_screen) -> None:
    grid = _api(screen, "admin", "GET", "/v1/graph/map").json()["grids"][0]["id"]
    case = _api(screen, "hotline", "POST", "/v1/cases",
                json={"text": "人行道上垃圾堆了好几天", "category_code": "event-0101", "grid_id": grid}).json()  # fmt: skip
    page, console = open_screen("dispatcher", f"cases?id={case['id']}")
    expect(page.locator("#detail-id")).to_have_text(case["id"], timeout=TIMEOUT)
    page.click("#move button[value=立案]")
    expect(page.locator("#detail-state")).to_contain_text("立案", timeout=TIMEOUT)
    # Someone else moves the case while this screen shows version 2: the screen's 派遣 is refused, with a sentence.
    moved = _api(screen, "admin", "POST", f"/v1/cases/{case['id']}/transition", json={"action": "派遣"})
    assert moved.status_code == 200, moved.text
    page.click("#move button[value=派遣]")
    expect(page.locator("#move-said .error")).to_contain_text("已被他人修改", timeout=TIMEOUT)
    shoot(page, "cases")
    assert serious_violations(page) == []
    assert console.errors(409) == []


def test_an_official_is_not_offered_what_the_role_cannot_do(screen, open_screen) -> None:
    page, console = open_screen("official", "cases")
    expect(page.locator("#nav a[data-page=triage]")).to_be_hidden()
    page.locator("#case-list tr[data-id]").first.click()
    expect(page.locator("#case-detail")).to_contain_text("当前角色不能流转案件", timeout=TIMEOUT)
    expect(page.locator("#move")).to_have_count(0)
    assert console.errors() == []


def test_a_sensor_chart_has_its_thresholds_and_forecast_band(open_screen) -> None:
    page, console = open_screen("official", "monitoring")
    chart = page.locator("#sensor-chart")
    expect(chart.locator("canvas")).to_have_count(1, timeout=TIMEOUT)
    expect(chart).to_have_attribute("data-forecast", "24", timeout=60_000)
    assert int(chart.get_attribute("data-readings")) > 10
    expect(page.locator("#chart-note")).to_contain_text("MASE")
    shoot(page, "monitoring")
    assert serious_violations(page) == []
    assert console.errors() == []


def test_a_memo_is_previewed_with_references_and_downloads(open_screen) -> None:
    page, console = open_screen("analyst", "memos")
    page.fill("#topic", "汛期排水防涝风险研判")
    page.click("#memo-form button")
    expect(page.locator("#memo-body h3").first).to_be_visible(timeout=60_000)
    expect(page.locator("#memo-body")).to_contain_text("背景")
    assert page.locator("#memo-refs li").count() > 0
    expect(page.locator("#memo-list li button").first).to_have_text(page.locator("#memo-title").inner_text())
    with page.expect_download(timeout=60_000) as docx:
        page.click("#dl-docx")
    assert docx.value.suggested_filename.endswith(".docx")
    assert docx.value.path().read_bytes()[:2] == b"PK"  # a DOCX is a zip
    shoot(page, "memos")
    assert serious_violations(page) == []
    assert console.errors() == []


def test_evaluation_page_says_how_to_get_figures_before_any_run(open_screen) -> None:
    page, console = open_screen("official", "evals")
    expect(page.locator("#sections")).to_contain_text("yiwang eval", timeout=TIMEOUT)
    assert serious_violations(page) == []
    assert console.errors() == []
