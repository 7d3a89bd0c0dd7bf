"""The domain tables load, agree with each other, and a bad row is reported with file and row."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from core.settings import Settings
from graph.domain import DomainTables, load_domain, taxonomy_csv
from graph.exceptions import LoadError


def test_tables_cover_the_standard_classes(domain: DomainTables) -> None:
    majors = {c.major_code for c in domain.components} | {c.major_code for c in domain.events}
    assert {"01", "02", "03", "04", "05", "06"} <= majors
    codes = {c.code: c.name for c in domain.components}
    # GB/T 30428.2 examples the domain notes name exactly.
    assert codes["0101"] == "上水井盖" and codes["0103"] == "雨水井盖"


def test_every_hotline_first_level_class_has_a_department(domain: DomainTables) -> None:
    defaults = {r.level1 for r in domain.hotline_routes if r.level2 == "*"}
    assert {c.level1 for c in domain.hotline_taxonomy} <= defaults


def _copy_tables(tmp_path: Path) -> Path:
    target = tmp_path / "domain"
    shutil.copytree(Settings().domain_dir, target)
    return target


def test_bad_row_names_file_and_row(tmp_path: Path) -> None:
    tables = _copy_tables(tmp_path)
    path = tables / "event_categories.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace(",", ",x", 1)  # code no longer 4 digits
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(LoadError, match=r"event_categories\.csv:4"):
        load_domain(tables, taxonomy_csv(Settings().shared_dir))


def test_unknown_department_key_is_refused(tmp_path: Path) -> None:
    tables = _copy_tables(tmp_path)
    path = tables / "departments.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    removed_key = lines[1].split(",")[0]
    path.write_text("\n".join([lines[0], *lines[2:]]) + "\n", encoding="utf-8")
    with pytest.raises(LoadError, match=f"unknown dept_key '{removed_key}'"):
        load_domain(tables, taxonomy_csv(Settings().shared_dir))


def test_example_reports_must_name_a_known_category_and_are_optional(tmp_path: Path) -> None:
    tables = _copy_tables(tmp_path)
    path = tables / "category_examples.csv"
    with path.open("a", encoding="utf-8") as handle:
        handle.write("event-9999,路口有个东西不对劲\r\n")
    with pytest.raises(LoadError, match="unknown category 'event-9999'"):
        load_domain(tables, taxonomy_csv(Settings().shared_dir))
    path.unlink()  # a city without examples: triage reads keywords and descriptions only
    assert load_domain(tables, taxonomy_csv(Settings().shared_dir)).category_examples == []


@pytest.mark.parametrize("content, message", [
    ("category,text\r\nevent-0101,楼顶加盖,还有一间\r\n".encode(), "more fields than the header"),
    ("category,text\r\nevent-0101,楼顶有人加盖了一层\r\n".encode("gbk"), "not UTF-8"),
])  # fmt: skip
def test_a_table_saved_wrongly_is_refused_with_a_sentence(tmp_path: Path, content: bytes, message: str) -> None:
    tables = _copy_tables(tmp_path)
    (tables / "category_examples.csv").write_bytes(content)
    with pytest.raises(LoadError, match=message):
        load_domain(tables, taxonomy_csv(Settings().shared_dir))


def test_a_table_saved_with_a_byte_order_mark_loads(tmp_path: Path) -> None:
    tables = _copy_tables(tmp_path)
    (tables / "category_examples.csv").write_bytes("category,text\r\nevent-0101,楼顶有人加盖了一层\r\n".encode("utf-8-sig"))
    assert [e.category for e in load_domain(tables, taxonomy_csv(Settings().shared_dir)).category_examples] == ["event-0101"]
