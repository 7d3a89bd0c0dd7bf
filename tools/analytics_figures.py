"""The anomaly scan and the hot topics as figures (measures ``anomalies`` and ``hot_topics`` of the query spec):
sensors unlike their own daily pattern in the last hours, the most anomalous first, with who is responsible;
and the hot issues of the real citizen messages, the hottest first, each citable by its id.
"""

from __future__ import annotations

from typing import get_args

from core.exceptions import YiwangError
from tools.client import ServicesClient
from tools.query_spec import FigureQuery, FigureRow, Figures, SensorKind

LISTED = 10
HOURS = 24
STATUS_KINDS = {"light_status", "pump_status"}  # codes, not measurements: no daily pattern to depart from


def anomaly_figures(client: ServicesClient, query: FigureQuery) -> Figures:
    kinds = ([query.sensor_kind] if query.sensor_kind else query.sensor_kinds) or [
        kind for kind in get_args(SensorKind) if kind not in STATUS_KINDS]  # fmt: skip
    hours = query.hours or HOURS
    rows: list[FigureRow] = []
    runs, scanned, anomalous, start, end = [], 0, 0, "", ""
    for kind in kinds:
        try:
            run = client.anomalies(kind, query.district, hours, query.top or LISTED)
        except YiwangError:  # no sensor of that kind in the district: the others still answer
            continue
        runs.append(run["run_id"])
        scanned, anomalous = scanned + run["scanned"], anomalous + run["anomalous"]
        start, end = run["window_start"] or start, run["window_end"] or end
        for item in run["items"]:
            episode = item["episodes"][0]
            rows.append(FigureRow(key=item["sensor_id"], value=item["z"], asset_id=item["asset_id"], name=item["name"],
                                  district=item["district"], ts=episode["peak_ts"], latest=episode["peak"],
                                  expected=episode["expected"], unit=item["unit"], start=episode["start"], end=episode["end"],
                                  department=item["department"]))  # fmt: skip
    rows.sort(key=lambda r: -abs(r.value or 0))
    return Figures(measure="anomalies", unit="z", period=f"last{hours}h", start=start, end=end,
                   rows=rows[: query.top or LISTED], total=FigureRow(key="", value=anomalous), sensors=scanned,
                   reporting=scanned, run_id=" ".join(runs) or None)  # fmt: skip


def hot_topic_figures(client: ServicesClient, query: FigureQuery) -> Figures:
    # The messages name their districts as the demo city does (A3区): the code the query holds is named again.
    district = client.node(query.district, limit=1)["node"]["name"] if query.district else None
    # The analytic ranks by heat; by messages or by likes every topic is fetched and ranked here.
    ranked = query.rank_by in ("volume", "likes")
    run = client.hot_topics(query.period, district, 200 if ranked else query.top or 5, query.keywords)
    if ranked:
        run["topics"] = sorted(run["topics"], key=lambda t: (-t[query.rank_by], -t["heat"]))[: query.top or 5]
    rows = [FigureRow(key=t["topic_id"], value=t["heat"], name=t["title"], district=t["place"], volume=t["volume"],
                      likes=t["likes"], start=t["first"], end=t["last"]) for t in run["topics"]]  # fmt: skip
    return Figures(measure="hot_topics", unit="", period=query.period or "all", start="", end="", rows=rows,
                   total=FigureRow(key="", value=run["messages"]), run_id=run["run_id"])  # fmt: skip
