"""Dispatch (指挥协调): create, read, list and move cases through the workflow.

Routing defaults come from the graph's responsibility rules; every change is a conditional UPDATE on
``version`` plus one history row, in one transaction, so concurrent writers never lose an update.
"""

from __future__ import annotations

import base64
import re
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple, NoReturn

from psycopg.rows import namedtuple_row
from sqlalchemy import Connection, DateTime, Select, bindparam, func, select, text, update
from sqlalchemy import case as when
from sqlalchemy.orm import Session

from core import clock
from core.exceptions import Conflict, InvalidInput, NotFound
from core.redact import redacted
from core.times import CHINA, as_utc, china_if_naive
from graph.ids import district_of, is_category_id
from graph.queries.cases import department_exists, find_category
from graph.queries.places import grid_at, grid_exists
from graph.queries.responsibility import responsible_department
from graph.store import GraphStore
from services.dispatch.deadlines import add_working_hours, deadline_for
from services.dispatch.models import (
    CaseCounts,
    CaseCreate,
    CaseFilter,
    CaseList,
    CasePublic,
    TransitionRequest,
)
from services.dispatch.tables import CaseEventRow, CaseRow
from services.dispatch.workflow import (
    TERMINAL,
    TERMINAL_NAMES,
    Action,
    State,
    action_named,
    allowed_actions,
    next_state,
)
from services.pg_round_trips import PreparedStatement, fetch_opening_transaction

MAX_PAGE = 200


def _category(graph: GraphStore, category_id: str) -> dict:
    if not is_category_id(category_id):
        raise InvalidInput(f"类别编码 {category_id!r} 无效; 形如 event-0401 或 component-0101")
    found = find_category(graph, category_id)
    if found is None:
        raise NotFound(f"未找到类别 {category_id}; 请用 /v1/graph/search 查询类别")
    return found.properties


def _department_exists(graph: GraphStore, department_id: str) -> None:
    if not department_exists(graph, department_id):
        raise NotFound(f"未找到部门 {department_id}; 请用 /v1/graph/search?label=Department 查询")


def _sla(category: dict, urgency: str, start: datetime) -> datetime:
    return deadline_for(start, urgency, int(category["sla_hours"]), int(category["urgent_sla_hours"]))


def _local(value: datetime | None) -> str | None:
    """``local_iso`` with one time-zone conversion, not two: it runs for every history row returned."""
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(CHINA).isoformat()


def to_public(case: Any, events: Sequence[Any], now: datetime) -> CasePublic:
    """``case`` and ``events`` are ORM rows or result rows with the same column names. One
    ``model_validate`` of plain dicts (validated in pydantic's Rust core) instead of a model per
    history row: the history is returned with every write."""
    deadline = as_utc(case.deadline) if case.deadline else None
    finished = as_utc(case.closed_at) if case.closed_at else now
    return CasePublic.model_validate({
        "id": case.id, "state": case.state, "category_code": case.category_code, "category_name": case.category_name,
        "department_id": case.department_id, "grid_id": case.grid_id, "district": case.district,
        "urgency": case.urgency, "text": case.text, "source": case.source, "created_at": _local(case.created_at),
        "deadline": _local(deadline), "closed_at": _local(case.closed_at), "rework_count": case.rework_count,
        "overdue": bool(deadline and case.state not in (State.NOT_REGISTERED, State.VOIDED) and finished > deadline),
        "version": case.version, "allowed_actions": [a.zh for a in allowed_actions(State(case.state))],
        "history": [{"action": e.action, "actor": e.actor, "at": _local(e.at), "note": e.note, "from_state": e.from_state,
                     "to_state": e.to_state} for e in events],
    })  # fmt: skip


def original_text(session: Session, case_id: str) -> str | None:
    """The report as written, where redaction changed it (for the roles that need it)."""
    return session.scalar(select(CaseRow.original_text).where(CaseRow.id == case_id))


def _events(session: Session, case_id: str) -> list[CaseEventRow]:
    return list(session.scalars(select(CaseEventRow).where(CaseEventRow.case_id == case_id).order_by(CaseEventRow.seq)))


def create_case(session: Session, graph: GraphStore, body: CaseCreate, actor: str = "system",
                now: datetime | None = None) -> CasePublic:  # fmt: skip
    """Register a report as a case in 受理, routed to the responsible department by default."""
    now = now or clock.now()
    category = _category(graph, body.category_code)
    grid_id = body.grid_id
    if grid_id:
        if not grid_exists(graph, grid_id):
            raise NotFound(f"未找到网格 {grid_id}; 请检查编号或使用 /v1/graph/search 查询")
    elif body.location:
        grid = grid_at(graph, body.location.lon, body.location.lat)
        if grid is None:
            raise InvalidInput(f"坐标 ({body.location.lon}, {body.location.lat}) 不在本市任何网格内")
        grid_id = grid.id
    else:
        raise InvalidInput("请提供网格编号 grid_id 或坐标 location / a case needs a grid or a location")
    if body.department_id:
        _department_exists(graph, body.department_id)
        department = body.department_id
    else:
        department = responsible_department(graph, body.category_code, grid_id=grid_id).department.id
    urgency = body.urgency or category.get("default_urgency") or "normal"
    text = redacted(body.text)
    case = CaseRow(
        id=f"C{now.astimezone(UTC):%Y%m%d}-{uuid.uuid4().hex[:8].upper()}", state=State.ACCEPTED.value,
        category_code=body.category_code, category_name=category["name"], department_id=department,
        grid_id=grid_id, district=district_of(grid_id), lon=body.location.lon if body.location else None,
        lat=body.location.lat if body.location else None, urgency=urgency, text=text, source=body.source,
        original_text=body.text if text != body.text else None,
        created_at=now, updated_at=now, deadline=_sla(category, urgency, now), version=1, rework_count=0,
        extension_count=0,
    )  # fmt: skip
    event = CaseEventRow(case_id=case.id, seq=1, action="受理", from_state=None, to_state=State.ACCEPTED.value,
                         actor=actor, department_id=department, at=now, note=f"来源 {body.source}")  # fmt: skip
    session.add(case)
    session.flush()  # the case row must exist before its history row (foreign key)
    session.add(event)
    session.flush()
    return to_public(case, [event], now)


def get_case(session: Session, case_id: str, now: datetime | None = None) -> CasePublic:
    case = session.get(CaseRow, case_id)
    if case is None:
        raise NotFound(f"未找到案件 {case_id}; 请检查案件编号")
    return to_public(case, _events(session, case_id), now or clock.now())


# One statement text for every action: what differs (target state, counters, deadline, department,
# closing time) is a parameter, so nothing is built or compiled per request. The WHERE clause is the
# whole concurrency check: the state the action starts from, and the version when one is expected.
_CASE_COLUMNS = ", ".join(column.name for column in CaseRow.__table__.c)
# The time of a move is never before the case's last change: a writer that read the clock, then waited
# for a concurrent move to commit, would otherwise write history that runs backwards.
_STAMP = "{latest}(:now, updated_at)"
_SET = ("state = :to_state, updated_at = {stamp}, version = version + 1, rework_count = rework_count + :rework, "
        "extension_count = extension_count + :extend, deadline = COALESCE(:deadline, deadline), "
        "department_id = COALESCE(:department_id, department_id), "
        "closed_at = CASE WHEN :terminal THEN {stamp} ELSE closed_at END")  # fmt: skip
_SET_SQLITE = _SET.format(stamp=_STAMP.format(latest="MAX"))
_SET_POSTGRESQL = _SET.format(stamp=_STAMP.format(latest="GREATEST"))
_WHERE = "id = :id AND state = :from_state AND version = COALESCE(:version, version)"
_TIMES = (bindparam("now", type_=DateTime(timezone=True)), bindparam("deadline", type_=DateTime(timezone=True)))
_MOVE = text(f"UPDATE cases SET {_SET_SQLITE} WHERE {_WHERE} RETURNING {_CASE_COLUMNS}").bindparams(*_TIMES).columns(*CaseRow.__table__.c)
_ADD_EVENT = CaseEventRow.__table__.insert()
_HISTORY_COLUMNS = (CaseEventRow.seq, CaseEventRow.action, CaseEventRow.actor, CaseEventRow.at, CaseEventRow.note,
                    CaseEventRow.from_state, CaseEventRow.to_state)  # fmt: skip
_HISTORY = select(*_HISTORY_COLUMNS).where(CaseEventRow.case_id == bindparam("id")).order_by(CaseEventRow.seq)
# PostgreSQL: update, history row and the case's whole history in one round trip (a data-modifying
# CTE). Its history is read from the statement's snapshot; the caller checks it is complete.
_MOVE_POSTGRESQL = re.sub(r":(\w+)", r"%(\1)s", (
    f"WITH moved AS (UPDATE cases SET {_SET_POSTGRESQL} WHERE {_WHERE} RETURNING {_CASE_COLUMNS}), "
    "added AS (INSERT INTO case_events (case_id, seq, action, from_state, to_state, actor, department_id, at, note) "
    "SELECT id, version, CAST(:action AS VARCHAR), CAST(:from_state AS VARCHAR), CAST(:to_state AS VARCHAR), "
    "CAST(:actor AS VARCHAR), department_id, updated_at, CAST(:note AS TEXT) FROM moved "
    "RETURNING seq, action, actor, at, note, from_state, to_state) "
    "SELECT m.*, h.seq AS h_seq, h.action AS h_action, h.actor AS h_actor, h.at AS h_at, h.note AS h_note, "
    "h.from_state AS h_from_state, h.to_state AS h_to_state FROM moved AS m CROSS JOIN ("
    "SELECT seq, action, actor, at, note, from_state, to_state FROM case_events WHERE case_id = :id "
    "UNION ALL SELECT seq, action, actor, at, note, from_state, to_state FROM added) AS h ORDER BY h.seq"
))  # the driver's placeholders: %(name)s
_MOVE_PREPARED = PreparedStatement("yiwang_case_move", _MOVE_POSTGRESQL)
_READ_PREPARED = PreparedStatement("yiwang_case_read", f"SELECT {_CASE_COLUMNS} FROM cases WHERE id = %(id)s")


class _Event(NamedTuple):
    seq: int
    action: str
    actor: str
    at: datetime
    note: str | None
    from_state: str | None
    to_state: str


def transition(session: Session, graph: GraphStore, case_id: str, body: TransitionRequest,
               now: datetime | None = None) -> CasePublic:  # fmt: skip
    """Apply one workflow action; an illegal action or a stale ``expected_version`` is a 409 and
    writes nothing.

    The change is one conditional ``UPDATE … RETURNING`` (on the state the action starts from, and
    on the version when the client sends one) plus one history row, in the caller's transaction; on
    PostgreSQL both and the history read are one statement. Actions whose new values depend on the
    case (派遣 and 延期 recompute the deadline) or that start from several states (the history records
    where the case came from) read the case first and make the UPDATE conditional on the version read,
    so a concurrent writer makes it match no row."""
    now = now or clock.now()
    action = action_named(body.action)
    # Plain statements on the session's connection: the ORM's per-statement work (entity loading,
    # building and caching statements) was most of the CPU of a transition.
    connection = session.connection()
    params = {"id": case_id, "now": now, "version": body.expected_version, "rework": int(action.rework), "extend": 0,
              "deadline": None, "department_id": None, "actor": body.actor, "action": action.zh,
              "note": redacted(body.note) if body.note else body.note}  # fmt: skip
    if action.name in ("dispatch", "extend") or len(action.sources) > 1:
        case = _read_case(connection, case_id)
        if case is None:
            raise NotFound(f"未找到案件 {case_id}; 请检查案件编号")
        _refuse_stale(case_id, case.version, body.expected_version)
        from_state = State(case.state)
        target = next_state(from_state, action)
        params["version"] = case.version
        if action.name == "dispatch":
            if body.department_id:
                _department_exists(graph, body.department_id)
                params["department_id"] = body.department_id
            params["deadline"] = _sla(_category(graph, case.category_code), case.urgency, now)  # 处置时限 runs from dispatch
        elif action.name == "extend":
            category = _category(graph, case.category_code)
            hours = body.extend_hours or int(category["sla_hours"])
            base = as_utc(case.deadline) if case.deadline else now
            params["deadline"] = add_working_hours(base, hours) if case.urgency not in ("high", "critical") else base + timedelta(hours=hours)
            params["extend"] = 1
    else:
        (from_state,) = action.sources
        target = next_state(from_state, action)
    params.update(from_state=from_state.value, to_state=target.value, terminal=target in TERMINAL)
    history: list[_Event] = []
    if connection.dialect.name == "postgresql":
        # The driver directly: SQLAlchemy's per-statement work costs more CPU than PostgreSQL's.
        rows = fetch_opening_transaction(connection.connection.dbapi_connection, _MOVE_PREPARED, params, namedtuple_row)
        moved = rows[0] if rows else None
        history = [_Event(r.h_seq, r.h_action, r.h_actor, r.h_at, r.h_note, r.h_from_state, r.h_to_state) for r in rows]
    else:
        moved = connection.execute(_MOVE, params).one_or_none()
        if moved is not None:
            connection.execute(_ADD_EVENT, {"case_id": case_id, "seq": moved.version, "action": action.zh,
                                            "from_state": from_state.value, "to_state": target.value, "actor": body.actor,
                                            "department_id": moved.department_id, "at": moved.updated_at, "note": params["note"]})  # fmt: skip
    if moved is None:
        _explain_refusal(session, case_id, action, body.expected_version)
    if [e.seq for e in history] != list(range(1, moved.version + 1)):
        # SQLite, or a PostgreSQL statement that waited for a concurrent 延期 (same state) and so
        # read an older snapshot: read the history now. The case row stays locked by the UPDATE until
        # commit, so what this reads is complete and final.
        history = [_Event(*r) for r in connection.execute(_HISTORY, {"id": case_id})]
    held = session.identity_map.get(session.identity_key(CaseRow, case_id))
    if held is not None:
        session.expire(held)  # a CaseRow this session holds (e.g. just created) reloads when next read
    return to_public(moved, history, now)


def _read_case(connection: Connection, case_id: str) -> Any:
    """The case row, read as the transaction's first statement (on PostgreSQL with its BEGIN)."""
    if connection.dialect.name == "postgresql":
        rows = fetch_opening_transaction(connection.connection.dbapi_connection, _READ_PREPARED, {"id": case_id}, namedtuple_row)
        return rows[0] if rows else None
    table = CaseRow.__table__
    return connection.execute(select(table).where(table.c.id == case_id)).one_or_none()


class Raced(Conflict):
    """Another writer moved the case between this transition's read and its write, and no version was asked
    for: the caller asked for the action, not for a version, so it is tried again on the case as it is now."""


def _refuse_stale(case_id: str, version: int, expected: int | None) -> None:
    if expected is not None and expected != version:
        raise Conflict(f"案件 {case_id} 已被他人修改 (当前版本 {version}, 请求版本 {expected}); 请刷新后重试")


def _explain_refusal(session: Session, case_id: str, action: Action, expected: int | None) -> NoReturn:
    """The UPDATE matched no row: say why (read only on this path). Nothing was written."""
    case = session.execute(select(CaseRow.version, CaseRow.state).where(CaseRow.id == case_id)).one_or_none()
    if case is None:
        raise NotFound(f"未找到案件 {case_id}; 请检查案件编号")
    _refuse_stale(case_id, case.version, expected)
    next_state(State(case.state), action)  # raises the 409 naming the state and what is allowed
    raise Raced(f"案件 {case_id} 刚被他人修改; 请刷新后重试")


def _cursor(key: datetime, case_id: str) -> str:
    return base64.urlsafe_b64encode(f"{as_utc(key).isoformat()}|{case_id}".encode()).decode()


def list_cases(session: Session, filters: CaseFilter | None = None, *, limit: int = 50, cursor: str | None = None,
               now: datetime | None = None, counts: bool = False) -> CaseList:  # fmt: skip
    """Filtered cases in the order asked (newest created first by default), keyset-paginated: ``next`` is the
    cursor of the following page; with ``counts``, every case the filter selects counted in the database too."""
    f = filters or CaseFilter()
    now = now or clock.now()
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit 应在 1–{MAX_PAGE} 之间")
    query = _filtered(select(CaseRow), f, now)
    key = {"last_closed": CaseRow.closed_at, "most_overdue": CaseRow.deadline}.get(f.order, CaseRow.created_at)
    ascending = f.order in ("oldest", "most_overdue")
    if cursor:
        try:
            at_text, last_id = base64.urlsafe_b64decode(cursor.encode()).decode().split("|", 1)
            at = datetime.fromisoformat(at_text)
        except (ValueError, UnicodeDecodeError) as exc:
            raise InvalidInput("分页游标无效 / invalid cursor; use the 'next' value of the previous page") from exc
        if ascending:
            query = query.where((key > at) | ((key == at) & (CaseRow.id > last_id)))
        else:
            query = query.where((key < at) | ((key == at) & (CaseRow.id < last_id)))
    ordering = (key.asc(), CaseRow.id.asc()) if ascending else (key.desc(), CaseRow.id.desc())
    rows = list(session.scalars(query.order_by(*ordering).limit(limit + 1)))
    page, more = rows[:limit], len(rows) > limit
    histories: dict[str, list[CaseEventRow]] = {row.id: [] for row in page}
    if page:  # one query for the page's histories, not one per case
        for event in session.scalars(select(CaseEventRow).where(CaseEventRow.case_id.in_(list(histories)))
                                     .order_by(CaseEventRow.case_id, CaseEventRow.seq)):  # fmt: skip
            histories[event.case_id].append(event)
    items = [to_public(row, histories[row.id], now) for row in page]
    last = page[-1] if more and page else None
    return CaseList(items=items, next=_cursor(getattr(last, key.key), last.id) if last else None,
                    counts=_counts(session, f, now) if counts else None)  # fmt: skip


def _filtered(query: Select, f: CaseFilter, now: datetime) -> Select:
    """The cases ``f`` selects (the page, its cursor and order aside)."""
    if f.state:
        if f.state not in {s.value for s in State}:
            raise InvalidInput(f"未知状态 {f.state!r}; 可选: {'、'.join(s.value for s in State)}")
        query = query.where(CaseRow.state == f.state)
    if bad := [c for c in f.category or [] if not is_category_id(c)]:
        raise InvalidInput(f"类别编码 {bad[0]!r} 无效; 形如 event-0405 或 component-0101")
    if f.category:
        query = query.where(CaseRow.category_code.in_(f.category))
    for column, value in ((CaseRow.department_id, f.department_id), (CaseRow.district, f.district),
                          (CaseRow.source, f.source)):  # fmt: skip
        if value:
            query = query.where(column == value)
    if f.since:  # a time without an offset is China time, as every route reads it
        query = query.where(CaseRow.created_at >= as_utc(china_if_naive(f.since)))
    if f.until:
        query = query.where(CaseRow.created_at < as_utc(china_if_naive(f.until)))
    if f.overdue:
        query = query.where(CaseRow.deadline < now, CaseRow.state.notin_(TERMINAL_NAMES))
    if f.reworked:
        query = query.where(CaseRow.rework_count > 0)
    for wanted, action in ((f.returned, "回退"), (f.extended, "延期")):
        if wanted:  # a step of the history, not a counter of the case: looked up there
            query = query.where(select(CaseEventRow.id).where(CaseEventRow.case_id == CaseRow.id,
                                                              CaseEventRow.action == action).exists())  # fmt: skip
    if f.open:
        query = query.where(CaseRow.state.notin_(TERMINAL_NAMES))
    if f.order == "last_closed":
        query = query.where(CaseRow.closed_at.is_not(None))
    if f.order == "most_overdue":
        query = query.where(CaseRow.deadline < now, CaseRow.state.notin_(TERMINAL_NAMES))
    return query


def _counts(session: Session, f: CaseFilter, now: datetime) -> CaseCounts:
    chosen = _filtered(select(CaseRow), f, now).subquery()
    by_state = dict(session.execute(select(chosen.c.state, func.count()).group_by(chosen.c.state)).all())
    by_category = session.execute(select(chosen.c.category_name, func.count()).group_by(chosen.c.category_name)
                                  .order_by(func.count().desc(), chosen.c.category_name)).all()  # fmt: skip
    late = chosen.c.deadline < func.coalesce(chosen.c.closed_at, as_utc(now))
    counted = chosen.c.state.notin_([State.NOT_REGISTERED.value, State.VOIDED.value])
    overdue, overdue_open = session.execute(select(
        func.count(when((late & counted, 1))),
        func.count(when((late & chosen.c.state.notin_(TERMINAL_NAMES), 1))))).one()  # fmt: skip
    return CaseCounts(total=sum(by_state.values()), by_state=by_state, by_category=dict(by_category),
                      overdue=overdue, overdue_open=overdue_open)  # fmt: skip


def state_of(session: Session, case_id: str | None) -> str | None:
    """A case's state now, or ``None`` for no case or one not (any longer) here."""
    return session.scalar(select(CaseRow.state).where(CaseRow.id == case_id)) if case_id else None


SUPERVISION = "督办"
SUPERVISION_RETRIES = 8


def supervise(session: Session, case_id: str, note: str, actor: str, due: datetime | None = None,
              now: datetime | None = None) -> CasePublic:  # fmt: skip
    """A supervision order (督办) from a higher platform recorded on the case: a history entry that moves no
    state, and the deadline brought forward to the order's when that is earlier. A finished case records it
    too (the order may ask why it was closed so); an unknown case is a 404."""
    return note_on_case(session, case_id, SUPERVISION, note, actor, due, now)


def note_on_case(session: Session, case_id: str, action: str, note: str, actor: str, due: datetime | None = None,
                 now: datetime | None = None) -> CasePublic:  # fmt: skip
    """A history entry that moves no state (督办, 接收移交), with the deadline brought forward to ``due`` when that
    is earlier; versioned like every change, so a concurrent transition is never lost."""
    now = now or clock.now()
    due = as_utc(due) if due else None  # SQLite keeps the wall clock of what it is given: UTC, like every time here
    for _ in range(SUPERVISION_RETRIES):
        case = session.get(CaseRow, case_id)
        if case is None:
            raise NotFound(f"未找到案件 {case_id}; 无法记入{action}")
        deadline = case.deadline if due is None or (case.deadline and as_utc(case.deadline) <= due) else due
        at = max(now, as_utc(case.updated_at))
        moved = session.execute(update(CaseRow).where(CaseRow.id == case_id, CaseRow.version == case.version)
                                .values(version=CaseRow.version + 1, updated_at=at, deadline=deadline)
                                .returning(CaseRow.version)).scalar_one_or_none()  # fmt: skip
        if moved is None:  # a transition got in between: read the case again
            session.expire(case)
            continue
        session.add(CaseEventRow(case_id=case_id, seq=moved, action=action, from_state=case.state, to_state=case.state,
                                 actor=actor, department_id=case.department_id, at=at, note=redacted(note)))  # fmt: skip
        session.flush()
        session.expire(case)
        return get_case(session, case_id, now)
    raise Raced(f"案件 {case_id} 正被频繁修改; {action}稍后再记")

