"""Possible duplicates: open cases of the same category, near in place and time, with similar text."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from graph.geometry import distance_m
from services.dispatch.tables import CaseRow
from services.dispatch.workflow import OPEN_NAMES

RADIUS_M = 300.0
WINDOW = timedelta(hours=72)
MIN_SIMILARITY = 0.15
SAME_SPOT_M = 50.0


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def similarity(a: str, b: str) -> float:
    x, y = _bigrams(a), _bigrams(b)
    return len(x & y) / len(x | y) if x and y else 0.0


def find_duplicates(session: Session, category_ids: list[str], text: str, *, at: datetime, district: str | None,
                    grid_id: str | None, lon: float | None, lat: float | None,
                    grid_centre: dict[str, tuple[float, float]]) -> list[tuple[str, float, float]]:  # fmt: skip
    """(case id, distance in metres, text similarity) of likely duplicates, most similar first. The
    report's likeliest categories are all searched: a repeat worded differently may be read as a
    neighbouring category, and the operator sees the candidate either way."""
    if not (grid_id or (lon is not None and lat is not None)):
        return []  # with no place, "near" means nothing: no guesses
    query = select(CaseRow.id, CaseRow.text, CaseRow.grid_id, CaseRow.lon, CaseRow.lat).where(
        CaseRow.category_code.in_(category_ids), CaseRow.state.in_(OPEN_NAMES), CaseRow.created_at >= at - WINDOW,
        CaseRow.created_at <= at + timedelta(minutes=5))  # fmt: skip
    if district:
        query = query.where(CaseRow.district == district)
    here = (lon, lat) if lon is not None and lat is not None else grid_centre.get(grid_id or "")
    found = []
    for case_id, case_text, case_grid, case_lon, case_lat in session.execute(query.limit(500)):
        there = (case_lon, case_lat) if case_lon is not None else grid_centre.get(case_grid or "")
        if here is None or there is None:
            continue
        distance = distance_m(here[0], here[1], there[0], there[1])
        score = similarity(text, case_text or "")
        near = case_grid == grid_id if grid_id and case_grid else distance <= RADIUS_M
        # Same category, same grid (or within the radius) and the same few days: similar words, or the
        # very same spot, make it a likely repeat.
        if near and (score >= MIN_SIMILARITY or distance <= SAME_SPOT_M):
            found.append((case_id, round(distance, 1), round(score, 3)))
    return sorted(found, key=lambda f: (-f[2], f[1]))[:5]
