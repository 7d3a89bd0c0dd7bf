"""Where cases concentrate, as figures (the query spec grouped by grid or street): the hotspots analytic's areas,
the most cases first, each against an even spread over the scope's grids, with its last week beside the week
before and the department responsible there.
"""

from __future__ import annotations

from tools.client import ServicesClient
from tools.query_spec import FigureQuery, FigureRow, Figures, coverage_note

LISTED = 5  # areas named when the question gives no number
EVERY_AREA = 100  # ranked by their rise, the areas are all fetched (the analytic ranks by count)


def hotspot_figures(client: ServicesClient, query: FigureQuery) -> Figures:
    categories = query.categories or ([query.category] if query.category else [])
    rising = query.rank_by == "rise"
    run = client.hotspots(categories, query.district, query.period or "last30d", query.group_by or "grid",
                          EVERY_AREA if rising else query.top or LISTED)  # fmt: skip
    if rising:  # "哪个网格涨得最快": the last week's rise over the week before, the largest first
        items = sorted(run["items"], key=lambda i: (-(i["last_week"] - i["week_before"]), -i["count"], i["area_id"]))
        run["items"] = items[: query.top or LISTED]
    rows = [FigureRow(key=item["area_id"], value=item["count"], name=item["street"], district=item["district"],
                      share_pct=item["share_pct"], street=item["street"], grids=item["grids"],
                      expected=item["expected"], ratio=item["ratio"], significant=item["significant"],
                      last_week=item["last_week"], week_before=item["week_before"], department=item["department"],
                      street_office=item["street_office"]) for item in run["items"]]  # fmt: skip
    return Figures(measure="cases", unit="件", period=run["period"], start=run["start"], end=run["end"], rows=rows,
                   total=FigureRow(key="", value=run["cases"]), run_id=run["run_id"], grids=run["grids"],
                   areas=run["areas_with_cases"], expected=run["expected"], significant=run["significant"],
                   last_week=run["last_week"], week_before=run["week_before"],
                   note=coverage_note(client.case_stats(run["period"], query.district)))  # fmt: skip
