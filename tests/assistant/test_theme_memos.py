"""Memos on themes (issue 16): "汛期排水防涝风险研判" for a district is read as the flood theme through the graph,
its figures are the analytics' own (hotspots, the batch forecast and its interval, the department roll-up), its
charts are embedded in the DOCX and drawn in the PDF with visible Chinese text; other themes each get their
sections; a topic that maps to nothing is refused with the themes there are."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import docx
import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from api.app import create_app
from core.settings import Settings
from services.dispatch.demo_history import seed_case_history
from services.simulation.runner import backfill, sensor_specs
from services.simulation.simulator import Simulator, parse_incident

SECTIONS = ["一、背景", "二、现状", "三、研判", "四、建议", "五、依据"]
KINDS = {"water_level", "gas_concentration"}  # the sensors read back: enough for two themes, quick to fill
HISTORY = 100  # hours: a forecast and its backtest need four days


@pytest.fixture(scope="module")
def api(doc_settings: Settings, doc_graph, doc_index, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    if doc_graph.backend != "falkordb-embedded":
        pytest.skip("one graph engine is enough for memos")
    db = tmp_path_factory.mktemp("theme-memos") / "yiwang.db"
    settings = doc_settings.model_copy(update={"db_url": f"sqlite:///{db}", "mqtt_url": ""})
    with TestClient(create_app(settings, store=doc_graph, document_index=doc_index)) as client:
        runtime = client.app.state.runtime  # type: ignore[attr-defined]
        now = datetime.now(UTC).replace(microsecond=0)
        with runtime.sessions() as session:
            seed_case_history(session, doc_graph, seed=5, days=40, per_day=10, now=now)
            session.commit()
        specs = [s for s in sensor_specs(doc_graph, runtime.domain) if s.kind in KINDS]
        district = sorted({s.district for s in specs if s.kind == "water_level"})[0]
        leak = sorted(s.id for s in specs if s.kind == "gas_concentration")[0]
        simulator = Simulator(specs, 3, now - timedelta(hours=HISTORY), 3600,
                              [parse_incident(f"rainstorm:{district}@{HISTORY - 6}"), parse_incident(f"gas_leak:{leak}@{HISTORY - 4}")])  # fmt: skip
        backfill(simulator, runtime.sessions, runtime.registry, HISTORY)
        yield client


@pytest.fixture(scope="module")
def flood(api: TestClient) -> dict:
    district = _rainy_district(api)
    # The last 30 days, not the default month: on the 1st a month has no cases yet.
    response = api.post("/v1/memos", json={"topic": "汛期排水防涝风险研判", "district": district["name"], "period": "last30d"})
    assert response.status_code == 201, response.text
    return response.json() | {"district_code": district["id"]}


def _rainy_district(api: TestClient) -> dict:
    sensors = api.get("/v1/monitoring/sensors", params={"kind": "water_level", "limit": 10_000}).json()["items"]
    code = max(sensors, key=lambda s: s["last_value"] or 0)["district"]
    return next(d for d in api.get("/v1/graph/search", params={"q": "区", "label": "District", "limit": 20}).json()["items"]
                if d["id"] == code)  # fmt: skip


def test_a_flood_memo_is_the_theme_read_through_the_graph_with_every_section(api: TestClient, flood: dict) -> None:
    theme = next(t for t in api.get("/v1/graph/themes").json()["items"] if t["id"] == "theme-flood")
    assert flood["theme"] == "theme-flood" and "汛期排水防涝" in flood["title"]
    assert all(f"## {section}" in flood["markdown"] for section in SECTIONS)
    for name in theme["category_names"]:
        assert name in flood["markdown"].split("## 二、现状")[0]  # the background names what the theme spans
    kinds = {chart["kind"] for chart in flood["charts"]}
    assert kinds == {"series", "bars"}
    for chart in flood["charts"]:
        assert f"]({chart['id']})" in flood["markdown"]


def test_the_memos_figures_are_the_analytics_results(api: TestClient, flood: dict) -> None:
    theme = next(t for t in api.get("/v1/graph/themes").json()["items"] if t["id"] == "theme-flood")
    district = flood["district_code"]
    month = "last30d"  # the period the memo was asked for
    hotspots = api.post("/v1/analytics/hotspots", json={"categories": theme["categories"], "district": district,
                                                        "period": month, "top": 5}).json()  # fmt: skip
    top = hotspots["items"][0]
    assert f"网格 {top['area_id']}（{top['district_name']} {top['street']}）{top['count']} 件" in flood["markdown"]
    bars = next(c for c in flood["charts"] if c["kind"] == "bars" and "网格" in c["title"])
    assert bars["values"] == [i["count"] for i in hotspots["items"]]
    run = api.post("/v1/analytics/sensor-forecasts", json={"kind": "water_level", "district": district, "top": 5,
                                                          "screen": 48}).json()  # fmt: skip
    highest = run["highest"]
    assert f"最高为 {highest['sensor_id']}" in flood["markdown"] and f"{highest['peak']:.2f} cm" in flood["markdown"]
    assert f"95% 区间 {highest['lo95']:.2f}–{highest['hi95']:.2f} cm" in flood["markdown"]
    series = next(c for c in flood["charts"] if c["kind"] == "series")
    alone = api.post("/v1/forecast", json={"series_id": f"sensor:{highest['sensor_id']}", "horizon": 24}).json()
    assert series["forecast"] == [p["mean"] for p in alone["points"]] and series["hi95"] == [p["hi95"] for p in alone["points"]]
    assert series["lines"]["报警线"] == run["thresholds"]["alarm"]
    rollup = api.post("/v1/analytics/department-rollups", json={"periods": [month], "district": district}).json()
    rates = {i["name"]: i["按期处置率"] for i in rollup["periods"][0]["items"]}
    departments = next(c for c in flood["charts"] if "部门" in c["title"])
    for name, value in zip(departments["labels"], departments["values"], strict=True):
        assert value == round(rates[name]["value"] * 100, 1)


def test_every_number_of_the_memo_carries_a_reference_that_resolves(flood: dict) -> None:
    status = flood["markdown"].split("## 二、现状")[1].split("## 三、研判")[0]
    for line in status.splitlines():
        if line.startswith("- ") and re.search(r"\d", line):
            assert re.search(r"\[\d+\]", line), line
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", flood["markdown"])}
    assert cited == set(range(1, len(flood["citations"]) + 1))


def test_the_docx_holds_the_charts_and_the_pdf_draws_chinese_text(api: TestClient, flood: dict) -> None:
    word = api.get(f"/v1/memos/{flood['id']}.docx")
    document = docx.Document(io.BytesIO(word.content))
    assert len(document.inline_shapes) == len(flood["charts"]) >= 2
    assert document.paragraphs[0].text == flood["title"]
    pdf = api.get(f"/v1/memos/{flood['id']}.pdf").content
    assert b"/FontFile2" in pdf  # the Chinese font travels with the file
    assert "汛期排水防涝" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    import pypdfium2

    document_pdf = pypdfium2.PdfDocument(pdf)
    first = document_pdf[0].render(scale=1).to_pil().convert("L")
    width, height = first.size
    title_band = first.crop((0, 0, width, height // 8))
    assert sum(title_band.histogram()[:128]) > 200  # the title's glyphs are drawn, not blank
    images = sum(len([o for o in page.get_objects() if o.type == pypdfium2.raw.FPDF_PAGEOBJ_IMAGE]) for page in document_pdf)
    assert images == len(flood["charts"])


@pytest.mark.parametrize(("topic", "theme", "says"), [
    ("燃气安全形势研判", "theme-gas", "可燃气体浓度"),
    ("市容环境整治", "theme-appearance", "案件集中的网格"),
    ("12345热点诉求分析", "theme-hotline", "市民留言中的热点议题"),
    ("城市生命线运行风险", "theme-lifeline", "相关部门按期处置率"),
    ("井盖安全专项", "theme-manhole", "井盖"),
])  # fmt: skip
def test_each_theme_gets_its_memo(api: TestClient, topic: str, theme: str, says: str) -> None:
    memo = api.post("/v1/memos", json={"topic": topic})
    assert memo.status_code == 201, memo.text
    body = memo.json()
    assert body["theme"] == theme and says in body["markdown"]
    assert all(f"## {section}" in body["markdown"] for section in SECTIONS)
    if theme == "theme-hotline":
        hottest = api.post("/v1/analytics/hot-topics", json={"top": 1}).json()["topics"][0]
        assert f"「{hottest['title']}」（{hottest['place']}，{hottest['volume']} 条留言" in body["markdown"]


def test_a_category_topic_stays_a_category_memo_and_nothing_is_refused_with_the_themes(api: TestClient) -> None:
    category = api.post("/v1/memos", json={"topic": "道路积水内涝"}).json()
    assert category["theme"] is None and not category["charts"]
    refused = api.post("/v1/memos", json={"topic": "你好"})
    assert refused.status_code == 422
    message = refused.json()["error"]["message"]
    assert "无法把议题" in message and "汛期排水防涝" in message and "燃气安全" in message
