"""Node id shapes. Ids are strings whose shape names their label, so a lookup by id alone hits an index.

GB/T 30428-style numeric codes: district 6 digits (admin code), street 9, community 12, unit grid 15
(6 admin + 3 street + 3 community + 3 sequence), component (asset) 16 (6 admin + 2 major + 2 minor
+ 6 sequence). The city itself is the district code with ``00`` at the end. Codes are built and taken
apart only here, so a city whose codes differ changes one module.
"""

from __future__ import annotations

import re

_SHAPES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^\d{4}00$"), "City"),
    (re.compile(r"^\d{6}$"), "District"),
    (re.compile(r"^\d{9}$"), "Street"),
    (re.compile(r"^\d{12}$"), "Community"),
    (re.compile(r"^\d{15}$"), "Grid"),
    (re.compile(r"^\d{16}$"), "Asset"),
    (re.compile(r"^S\d{16}-\d{2}$"), "Sensor"),
    (re.compile(r"^road-\d{4}$"), "Road"),
    (re.compile(r"^lm-\d{5}$"), "Landmark"),
    (re.compile(r"^dept-[a-z0-9_-]+$"), "Department"),
    (re.compile(r"^component-\d{4}$"), "ComponentCategory"),
    (re.compile(r"^event-\d{4}$"), "EventCategory"),
    (re.compile(r"^hl-\d{2}(-\d{2}){0,2}$"), "HotlineCategory"),
    (re.compile(r"^theme-[a-z0-9_-]+$"), "Theme"),
    (re.compile(r"^policy-[a-z0-9_-]+#\d+$"), "Chunk"),
    (re.compile(r"^policy-[a-z0-9_-]+$"), "Policy"),
]


def label_for_id(node_id: str) -> str | None:
    """The label whose ids have this shape, or ``None`` when no label uses it."""
    for pattern, label in _SHAPES:
        if pattern.match(node_id):
            return label
    return None


CATEGORY_LABELS = ("EventCategory", "ComponentCategory")


def is_category_id(node_id: str) -> bool:
    """``event-0401`` or ``component-0101``: an id a case can be filed under."""
    return label_for_id(node_id) in CATEGORY_LABELS


def category_id(kind: str, code: str) -> str:
    """Graph id of a component (``component-0101``) or event (``event-0101``) category."""
    return f"{kind}-{code}"


def component_code(category: str) -> str:
    """The 4-digit code of a component category given as ``component-0101`` or as ``0101``."""
    return category.removeprefix("component-")


def sensor_id(asset_id: str, seq: int) -> str:
    return f"S{asset_id}-{seq:02d}"


def asset_of_sensor(sensor_id: str) -> str:
    """The asset id inside a sensor id (``S<16-digit asset id>-<nn>``)."""
    return sensor_id[1:17]


def asset_code(district: str, category_code: str, seq: int) -> str:
    """A 16-digit asset code: the district's admin code, the category code, a 6-digit sequence."""
    return f"{district}{category_code}{seq:06d}"


def asset_category_code(asset_id: str) -> str:
    """The component category code (2 major + 2 minor digits, e.g. ``0101``) inside an asset code."""
    return asset_id[6:10]


def asset_category_id(asset_id: str) -> str:
    """Graph id of an asset's component category (``component-0101``), read from its code."""
    return category_id("component", asset_category_code(asset_id))


def district_of(code: str) -> str:
    """The district (6-digit admin code) a street, community, grid or asset code begins with."""
    return code[:6]


def community_of(grid_id: str) -> str:
    """The community (12-digit code) a unit grid's code begins with."""
    return grid_id[:12]
