"""Where cases concentrate, as figures (the query spec grouped by grid or street): the hotspots analytic's areas,
the most cases first, each against an even spread over the scope's grids, with its last week beside the week
before and the department responsible there.
"""

from __future__ import annotations

from tools.client import ServicesClient
from tools.query_spec import FigureQuery, FigureRow, Figures

LISTED = 5  # areas named when the question gives no number


def hotspot_figures(client: ServicesClient, query: FigureQuery) -> Figures:
    categories = query.categories or ([query.category] if query.category else [])
    run = client.hotspots(categories, query.district, query.period or "last30d", query.group_by or "grid",
                          query.top or LISTED)  # fmt: skip
    rows = [FigureRow(key=item["area_id"], value=item["count"], name=item["street"], district=item["district"],
                      share_pct=item["share_pct"], street=item["street"], grids=item["grids"],
                      expected=item["expected"], ratio=item["ratio"], significant=item["significant"],
                      last_week=item["last_week"], week_before=item["week_before"], department=item["department"],
                      street_office=item["street_office"]) for item in run["items"]]  # fmt: skip
    return Figures(measure="cases", unit="件", period=run["period"], start=run["start"], end=run["end"], rows=rows,
                   total=FigureRow(key="", value=run["cases"]), run_id=run["run_id"], grids=run["grids"],
                   areas=run["areas_with_cases"], expected=run["expected"], significant=run["significant"],
                   last_week=run["last_week"], week_before=run["week_before"])  # fmt: skip
