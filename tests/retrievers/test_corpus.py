"""Policy documents: facts rendered from the domain tables, front matter checked, the real corpus loads."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests_support import FIXTURE_POLICIES

from core.settings import Settings
from graph.domain import DomainTables
from graph.exceptions import LoadError
from retrievers.corpus import load_corpus, load_policy, render_text


def test_placeholders_render_the_tables_facts(domain: DomainTables) -> None:
    doc = load_policy(FIXTURE_POLICIES / "policy-t-manhole.md", domain)
    cover = next(c for c in domain.components if c.code == "0101")
    water = domain.department_by_key["water_supply"]
    assert f"{cover.urgent_sla_hours}小时内设置警示标志" in doc.text
    assert f"{cover.sla_hours}小时内完成" in doc.text
    assert f"{water.name}负责{cover.name}（部件 0101）" in doc.text
    tilt = domain.sensor_kind_by_name["manhole_tilt"]
    assert f"倾斜角超过{tilt.alarm:g}{tilt.unit}" in doc.text
    assert "{{" not in doc.text


def test_district_template_renders_for_all_districts(domain: DomainTables) -> None:
    assert render_text("由{{dept:district_chengguan}}负责", domain) == "由各区城市管理和综合执法局负责"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.replace("{{sla:component-0101}}", "{{sla:component-9999}}"), "无法解析占位符"),
        (lambda t: t.replace("level: municipal", "level: galactic"), "front matter 无效"),
        (lambda t: t.replace("governs: [component-0101]", "governs: [component-9999]"), "unknown departments or categories"),
        (lambda t: t.replace("---\nid:", "id:", 1), "front matter"),
    ],
)
def test_bad_document_is_refused_with_its_file(domain: DomainTables, tmp_path: Path, change, message: str) -> None:
    path = tmp_path / "policy-x.md"
    path.write_text(change((FIXTURE_POLICIES / "policy-t-manhole.md").read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(LoadError, match=message) as error:
        load_policy(path, domain)
    assert "policy-x.md" in str(error.value)


def test_the_real_corpus_loads_and_covers_the_brief(domain: DomainTables) -> None:
    docs = load_corpus(Settings().policies_dir, domain)
    assert len(docs) >= 30
    assert {d.meta.level for d in docs} == {"national", "provincial", "municipal", "district"}
    national = [d for d in docs if d.meta.level == "national"]
    assert len(national) >= 4 and all(d.meta.source_note for d in national)
    assert all("{{" not in d.text for d in docs)
