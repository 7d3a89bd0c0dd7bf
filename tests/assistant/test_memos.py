"""``/v1/memos`` on each database: a decision memo whose figures are the services' own, whose every
reference resolves, and whose downloads open as a Word document and a PDF."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime

import docx
import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from api.app import create_app
from core.settings import Settings
from services.dispatch.demo_history import seed_case_history

SECTIONS = ["一、背景", "二、现状", "三、研判", "四、建议", "五、依据"]


@pytest.fixture
def api(doc_settings: Settings, doc_graph, doc_index, db_url: str) -> Iterator[TestClient]:
    if doc_graph.backend != "falkordb-embedded":
        pytest.skip("one graph engine is enough for memos")
    settings = doc_settings.model_copy(update={"db_url": db_url, "mqtt_url": ""})
    with TestClient(create_app(settings, store=doc_graph, document_index=doc_index)) as client:
        with client.app.state.runtime.sessions() as session:  # type: ignore[attr-defined]
            seed_case_history(session, doc_graph, seed=11, days=40, per_day=8, now=datetime.now(UTC))
            session.commit()
        yield client


@pytest.fixture
def district(doc_graph) -> dict:
    return doc_graph.ro_query("MATCH (d:District) RETURN d.id AS id, d.name AS name ORDER BY d.id LIMIT 1")[0]


def _section(markdown: str, heading: str) -> str:
    return markdown.split(f"## {heading}")[1].split("\n## ")[0]


def _recommendations(markdown: str) -> list[str]:
    return [line for line in _section(markdown, "四、建议").splitlines() if re.match(r"\d+\.", line)]


def test_a_memo_quotes_the_services_figures_and_every_reference_resolves(api: TestClient, district: dict) -> None:
    response = api.post("/v1/memos", json={"topic": "路边垃圾没人清", "district": district["name"]})
    assert response.status_code == 201, response.text
    memo = response.json()
    markdown = memo["markdown"]
    assert [h for h in SECTIONS if f"## {h}" in markdown] == SECTIONS
    assert district["name"] in memo["title"] and "暴露垃圾" in memo["title"]
    overall = api.get("/v1/cases/stats", params={"district": district["id"]}).json()
    focused = api.get("/v1/cases/stats", params={"district": district["id"], "category": "event-0102"}).json()
    assert overall["total"] > 0
    status = _section(markdown, "二、现状")
    refused = overall["total"] - overall["closed"] - overall["open"]
    assert (f"同期受理案件 {overall['total']} 件，其中办结 {overall['closed']} 件、未办结 {overall['open']} 件"
            + (f"、不予立案或作废 {refused} 件" if refused else "") + f"；超期（含逾期办结）{overall['overdue']} 件") in status  # fmt: skip
    assert f"暴露垃圾案件 {focused['total']} 件" in status and f"超期 {focused['overdue']} 件" in status
    # Every number a reader sees in 现状 and 研判 is followed, in its sentence, by a reference.
    body = markdown.split("## 五、依据")[0]
    for sentence in re.split(r"[。\n]", _section(markdown, "二、现状") + _section(markdown, "三、研判")):
        if re.search(r"\d", sentence.replace("2026", "")):
            assert re.search(r"\[\d+\]", sentence), sentence
    first_use = list(dict.fromkeys(int(n) for n in re.findall(r"\[(\d+)\]", body)))
    assert sorted(first_use) == list(range(1, len(memo["citations"]) + 1))  # none dangling, none unused
    assert first_use == sorted(first_use)  # numbered in reading order
    advice = _recommendations(markdown)
    assert advice and all(re.search(r"\[\d+\]。$", line) for line in advice)  # every recommendation cites
    overdue_share = focused["overdue"] / focused["total"] if focused["total"] else 0
    assert ("处置时效有压力" in markdown) == (overdue_share >= 0.2)
    assert "全部辖区" not in markdown  # the district's own 城管局 handles 暴露垃圾
    assert {"tool", "graph"} <= {c["kind"] for c in memo["citations"]}
    assert api.get(f"/v1/memos/{memo['id']}").json() == memo


def test_the_downloads_open_as_word_and_pdf(api: TestClient, district: dict) -> None:
    memo = api.post("/v1/memos", json={"topic": "道路积水", "district": district["id"]}).json()
    word = api.get(f"/v1/memos/{memo['id']}.docx")
    assert word.status_code == 200 and word.headers["content-type"].startswith("application/vnd.openxmlformats")
    paragraphs = [p.text for p in docx.Document(io.BytesIO(word.content)).paragraphs]
    assert paragraphs[0] == memo["title"] and all(h in paragraphs for h in SECTIONS)
    pdf = api.get(f"/v1/memos/{memo['id']}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert memo["title"] in text.replace("\n", "") and "三、研判" in text


def test_a_city_departments_figures_are_marked_as_covering_every_district(api: TestClient, district: dict) -> None:
    """道路积水内涝 is the city 水务局's in every district: its indicators are not the district's."""
    memo = api.post("/v1/memos", json={"topic": "道路积水内涝", "district": district["name"]}).json()
    department_lines = [line for line in memo["markdown"].splitlines() if "水务局" in line and "%" in line]
    assert department_lines and all("水务局（全部辖区）" in line for line in department_lines)


def test_a_topic_in_several_lines_stays_one_line_of_the_memo(api: TestClient) -> None:
    memo = api.post("/v1/memos", json={"topic": "路灯\n# 假标题\n## 五、依据"}).json()
    lines = memo["markdown"].splitlines()
    assert sum(line.startswith("# ") for line in lines) == 1 and sum(line.startswith("## ") for line in lines) == 5


def test_without_a_document_index_every_recommendation_still_cites(doc_settings: Settings, doc_graph, db_url: str,
                                                                   tmp_path) -> None:  # fmt: skip
    if doc_graph.backend != "falkordb-embedded":
        pytest.skip("one graph engine is enough for memos")
    settings = doc_settings.model_copy(update={"db_url": db_url, "mqtt_url": "", "data_dir": tmp_path})
    with TestClient(create_app(settings, store=doc_graph)) as client:
        memo = client.post("/v1/memos", json={"topic": "垃圾满溢"}).json()
    advice = _recommendations(memo["markdown"])
    assert advice and all(re.search(r"\[\d+\]。$", line) for line in advice)
    assert not any(c["kind"] == "document" for c in memo["citations"])


@pytest.mark.parametrize("body, status, says", [
    ({"topic": "垃圾", "district": "不存在区"}, 404, "未找到区"),
    ({"topic": "垃圾", "period": "去年"}, 422, "统计周期"),
    ({"topic": ""}, 422, "topic"),
    ({"topic": "路灯\x00坏了"}, 422, "控制字符"),
    ({"topic": "你好"}, 422, "无法把议题"),
])  # fmt: skip
def test_bad_requests_get_a_sentence(api: TestClient, body: dict, status: int, says: str) -> None:
    response = api.post("/v1/memos", json=body)
    assert response.status_code == status and says in response.json()["error"]["message"]


def test_an_unknown_memo_is_a_404(api: TestClient) -> None:
    for path in ("/v1/memos/M1", "/v1/memos/M1.docx", "/v1/memos/M1.pdf"):
        response = api.get(path)
        assert response.status_code == 404 and "POST /v1/memos" in response.json()["error"]["message"]


def test_the_command_line_writes_a_memo_or_says_why_not(cli_env) -> None:
    from typer.testing import CliRunner

    from cli.main import app

    runner = CliRunner()
    out = cli_env / "memo.docx"
    written = runner.invoke(app, ["memo", "垃圾满溢", "--out", str(out)])
    assert written.exit_code == 0, written.output
    assert [p.text for p in docx.Document(str(out)).paragraphs][0].startswith("关于全市垃圾满溢问题")
    printed = runner.invoke(app, ["memo", "垃圾满溢", "--period", "2026"])
    assert printed.exit_code == 0 and all(f"## {h}" in printed.output for h in SECTIONS)
    for args, says in ((["memo", "你好"], "无法把议题"), (["memo", "垃圾满溢", "--out", str(cli_env / "m.txt")], ".docx")):
        refused = runner.invoke(app, args)
        assert refused.exit_code != 0 and says in refused.output and "Traceback" not in refused.output


def test_a_configured_font_is_embedded_in_the_pdf(tmp_path) -> None:
    """YIWANG_MEMO_FONT: the PDF carries that font file; unset, the packaged Chinese font; unreadable, a sentence."""
    from pathlib import Path

    import reportlab

    from core.exceptions import BackendUnavailable
    from memos.export import to_pdf

    markdown = "# 标题\n\n## 一、背景\n\n正文 <b>&\n"
    vera = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"  # a TrueType file that ships with reportlab
    embedded = to_pdf(markdown, "t", vera)
    assert b"/FontFile2" in embedded and b"STSong-Light" not in embedded
    packaged = to_pdf(markdown, "t")
    assert b"/FontFile2" in packaged and b"WenQuanYi" in packaged and b"STSong-Light" not in packaged
    with pytest.raises(BackendUnavailable, match="YIWANG_MEMO_FONT"):
        to_pdf(markdown, "t", tmp_path / "missing.ttf")


def test_a_themed_memos_charts_are_kept_and_drawn_again_for_download(api: TestClient) -> None:
    made = api.post("/v1/memos", json={"topic": "市容环境整治"})
    assert made.status_code == 201, made.text
    memo = made.json()
    assert memo["theme"] == "theme-appearance" and memo["charts"]
    kept = api.get(f"/v1/memos/{memo['id']}").json()
    assert kept["charts"] == memo["charts"] and kept["theme"] == memo["theme"]
    document = docx.Document(io.BytesIO(api.get(f"/v1/memos/{memo['id']}.docx").content))
    assert len(document.inline_shapes) == len(memo["charts"])
