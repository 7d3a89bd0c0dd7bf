"""Labels, relationship types, keys and indexes of the city graph (documented in docs/graph-schema.md)."""

from __future__ import annotations

# Every node has a string ``id`` unique within its label; ids are shaped so the label can be told from
# the id alone (see graph.ids), which lets ``/v1/graph/nodes/{id}`` use the label's index.
NODE_LABELS: tuple[str, ...] = (
    "City",
    "District",
    "Street",
    "Community",
    "Grid",
    "Road",
    "Landmark",
    "Asset",
    "Sensor",
    "Department",
    "ComponentCategory",
    "EventCategory",
    "HotlineCategory",
    "Theme",
    "Policy",
    "Chunk",
)

REL_TYPES: tuple[str, ...] = (
    "IN",  # Grid->Community->Street->District->City, Road/Landmark->District
    "IN_GRID",  # Asset|Landmark -> Grid
    "OF_TYPE",  # Asset -> ComponentCategory
    "MONITORS",  # Sensor -> Asset
    "MAINTAINS",  # Department -> Asset
    "RESPONSIBLE_FOR",  # Department -> EventCategory|ComponentCategory|HotlineCategory {district, rule_id}
    "COVERS",  # street-office Department -> Street (属地)
    "INTERSECTS",  # Road -> Road {lon, lat}
    "PASSES",  # Road -> Grid
    "PARENT",  # HotlineCategory -> HotlineCategory (narrower to broader)
    "HAS_CHUNK",  # Policy -> Chunk
    "MENTIONS",  # Chunk -> any named entity
    "GOVERNS",  # Policy -> EventCategory|ComponentCategory
    "INCLUDES",  # Theme -> EventCategory|ComponentCategory (the categories a memo theme spans)
)

UNIQUE_KEYS: list[tuple[str, str]] = [(label, "id") for label in NODE_LABELS]

# Range indexes beyond the unique ids: the properties domain queries filter on.
INDEXES: list[tuple[str, str]] = [
    ("Asset", "category"),
    ("Asset", "grid"),
    ("Asset", "district"),
    ("Asset", "street"),
    ("Asset", "lon"),
    ("Sensor", "asset"),
    ("Sensor", "kind"),
    ("ComponentCategory", "code"),
    ("EventCategory", "code"),
    ("Department", "key"),
    ("Grid", "district"),
]

# Labels whose nodes carry a human name that entity search looks at. Assets are found by code instead;
# policies and chunks by the document retrievers.
NAMED_LABELS: tuple[str, ...] = tuple(
    label for label in NODE_LABELS if label not in {"City", "Asset", "Sensor", "Policy", "Chunk"}
)


def named_label(label: str) -> str:
    """``label`` when it is one of ``NAMED_LABELS``, so it may be spliced into a query; else ``ValueError``."""
    if label not in NAMED_LABELS:
        raise ValueError(f"{label!r} is not one of the named labels {NAMED_LABELS}")
    return label
