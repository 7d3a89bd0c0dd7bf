"""The learned model's say in what a question asks (issue 15): the rules route a question; where the model
of ``assistant.asked`` is confident of another kind of question, its reading is taken instead.

Measured on the development sets, each left out in turn with the model trained on the others (the rules
tuned on all of them): overruling at a probability of 0.5 turned 10 wrong routes right and 7 right ones
wrong; below that the losses outgrow the gains. Overruling toward a department's indicators or the vital
signs only lost there, and "declined" is not one kind of answer (an instruction inside a report to triage is
labelled as such, and its report is still triaged): the model never leads to those. Everything here was
chosen on the development sets, never on the held-out set.
"""

from __future__ import annotations

from assistant.asked import DECLINED
from assistant.assets import asset_categories, asset_query
from assistant.figures import Understood, asset_figures, order_asked
from assistant.intents import POLICY_CUE, Intent
from assistant.lexicon import CityLexicon
from assistant.slots import Slots
from core import clock
from core.times import CHINA
from tools.query_spec import CASE_MEASURES, is_rate

CONFIDENT = 0.5
# The model's kinds of question that the planner answers with one intent of its own.
_PLANNED = {"triage": Intent.TRIAGE, "case_lookup": Intent.CASE_LOOKUP, "alarms": Intent.ALARMS,
            "responsibility": Intent.RESPONSIBILITY, "policy": Intent.POLICY}  # fmt: skip
NEVER_LED_TO = {DECLINED, "unknown_place", "department_performance", "vitals"}
# Kinds the figure query answers when the understanding found that measure, an older intent otherwise.
_FIGURE_KINDS = {"forecast": Intent.FORECAST, "sensor_readings": Intent.STATUS, "case_stats": Intent.CASE_STATS}

# What each intent of the planner answers, in the model's labels (figure intents by their query's measure).
_KINDS = {planned: kind for kind, planned in _PLANNED.items()} | {
    Intent.VITALS: "vitals", Intent.UNSUPPORTED: DECLINED, Intent.CASE_ACTION: "case_lookup",
    Intent.FORECAST: "forecast",
    Intent.PERFORMANCE: "department_performance", Intent.CASE_STATS: "case_stats", Intent.COMPARE: "case_stats",
    Intent.UNKNOWN_PLACE: "unknown_place",
}  # fmt: skip


def kinds_of(intent: Intent, understood: Understood) -> set[str]:
    """The kinds of question an intent of the planner answers (the model's labels): a facility's state
    (STATUS) is asked both of its sensors and of the assets on a road."""
    if intent == Intent.STATUS:
        return {"sensor_readings", "assets"}
    return {_kind_of(intent, understood)}


def _kind_of(intent: Intent, understood: Understood) -> str:
    query = understood.query
    if intent in (Intent.FIGURES, Intent.COMPARE) and query is not None:
        if query.measure in ("assets", "forecast"):
            return query.measure
        if query.measure == "readings":
            return "sensor_readings"
        return "case_stats" if query.measure in CASE_MEASURES else "department_performance"
    return _KINDS.get(intent, DECLINED)


def _figure_kind(kind: str, understood: Understood) -> bool:
    return understood.query is not None and _kind_of(Intent.FIGURES, understood) == kind


def overrule(intents: list[Intent], understood: Understood, ranked: list[tuple[str, float]], question: str,
             slots: Slots, lexicon: CityLexicon) -> tuple[list[Intent], Understood] | None:  # fmt: skip
    """The intents (and figure query) the model's confident reading asks for, or ``None`` to keep the rules'."""
    kind, probability = ranked[0]
    if probability < CONFIDENT or kind in NEVER_LED_TO or any(kind in kinds_of(i, understood) for i in intents):
        return None
    if intents == [Intent.UNKNOWN_PLACE]:
        return None  # a made-up place is the gazetteer's to say, never a guess of the model's
    if intents == [Intent.POLICY] and POLICY_CUE.search(question) and understood.query is None:
        return None  # "超过多少度会报警？依据哪条规定": a document named as the source asked, the rules' reading
    if understood.query is not None and understood.query.group_by in ("month", "week", "day") and kind == "forecast":
        return None  # "近四周每周案件量走势": the weeks that were, counted, not a forecast
    if kind == "forecast" and understood.period is not None and understood.period.last < clock.now().astimezone(CHINA).date():
        return None  # "上个月路灯类案件每天大概多少件": a period past, counted, not a forecast
    if understood.query is not None and understood.query.measure in ("forecast", "anomalies", "hot_topics"):
        # What will be was asked in so many words (预测, 明天, 会不会), or sensors unlike themselves (不对劲,
        # 异常波动), or citizens' messages: none is today's readings or the alarm list.
        return None
    if understood.query is not None and is_rate(understood.query.measure) and understood.query.measure in question:
        return None  # "国庆以来累计结案多少件？结案率多少": the indicator named in so many words (its line gives the count)
    if kind == "alarms" and "体征" in question:
        return None  # vital signs named in so many words ("哪个区体征告警最多"): their levels, not the alarm list
    if kind == "responsibility" and not slots.categories:
        return None  # who handles what: with no category named, the triage of the words finds it
    if kind in _PLANNED:
        return [_PLANNED[kind]], understood if kind == "alarms" else Understood()
    if _figure_kind(kind, understood):
        return [Intent.FIGURES], understood
    if kind == "assets":
        if not (categories := asset_categories(question, slots, lexicon)):
            return None  # no asset the question names: nothing to count
        # Who looks after them, when the rules heard that asked too ("清单…附上主管部门").
        kept = [i for i in intents if i == Intent.RESPONSIBILITY]
        return [Intent.FIGURES, *kept], asset_figures(asset_query(question, slots, categories, order_asked(question)), question)
    return [_FIGURE_KINDS[kind]], Understood()
