"""Codes are built and taken apart in graph.ids only; each part read back is the part put in."""

from __future__ import annotations

from graph.ids import (
    asset_category_code,
    asset_category_id,
    asset_code,
    asset_of_sensor,
    community_of,
    component_code,
    district_of,
    label_for_id,
    sensor_id,
)


def test_an_asset_code_holds_its_district_and_category() -> None:
    code = asset_code("990103", "0110", 42)
    assert code == "9901030110000042" and label_for_id(code) == "Asset"
    assert district_of(code) == "990103" and asset_category_code(code) == "0110"
    assert asset_category_id(code) == "component-0110"


def test_a_sensor_id_names_its_asset() -> None:
    assert asset_of_sensor(sensor_id("9901030110000042", 3)) == "9901030110000042"


def test_a_grid_code_holds_its_community_and_district() -> None:
    assert community_of("990103002001004") == "990103002001" and district_of("990103002001004") == "990103"


def test_a_component_category_is_accepted_with_or_without_its_prefix() -> None:
    assert component_code("component-0204") == component_code("0204") == "0204"
