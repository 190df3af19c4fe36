"""The store: loads state with a handful of SQL queries, runs the pure domain, writes entries.

Every public method that writes runs in one transaction (``engine.begin()``): the domain
planner raises before anything is written, and a database error rolls the whole operation
back, so a meeting, a share-out or an exit is all-or-nothing. The cycle row is locked
(``SELECT … FOR UPDATE`` on PostgreSQL) while a write is planned, so two clerks recording
the same group at once cannot both spend the same cash.
"""

from __future__ import annotations

__all__ = ["Loan", "LoanStatement", "MeetingRecord", "MemberBalance", "Store", "open_store"]

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from operator import itemgetter
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Date,
    Engine,
    Row,
    Table,
    case,
    create_engine,
    event,
    func,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import StaticPool

from vsla.domain.arguments import checked_arguments
from vsla.domain.constitution import (
    Constitution,
    ExitProfitPolicy,
    RemainderPolicy,
    ShareOutLoanPolicy,
)
from vsla.domain.entities import (
    Attendance,
    Cycle,
    ExitReason,
    Group,
    Member,
    NewGroup,
    NewMember,
    NewProgramme,
    OfficerRole,
    Programme,
    Targets,
)
from vsla.domain.ledger import (
    Balances,
    EntryKind,
    LedgerEntry,
    balances_from_totals,
)
from vsla.domain.loans import Instalment, LoanPayment, LoanPosition, LoanTerms, schedule
from vsla.domain.meeting import (
    CycleState,
    LoanPurpose,
    LoanState,
    MeetingInput,
    MeetingPlan,
    PlannedEntry,
    _Boxes,
    advance,
    check_can_record,
    plan_meeting,
)
from vsla.domain.money import Rounding, format_money
from vsla.domain.shareout import ExitSettlement, ShareOutResult, exit_settlement, share_out
from vsla.domain.tabular import Tabular
from vsla.errors import (
    EntryNotReversible,
    InvalidInput,
    NotFound,
    ShareOutRefused,
    VslaError,
)
from vsla.store import tables as t
from vsla.store.activity import ActivityStore
from vsla.store.transactions import retry_conflicts, sqlite_on_begin, sqlite_on_connect


@dataclass(frozen=True, slots=True)
class MeetingRecord:
    """A recorded meeting and the entries it wrote."""

    id: int
    cycle_id: int
    date: dt.date
    number: int
    attendance: Mapping[int, Attendance]
    entries: tuple[LedgerEntry, ...]


@dataclass(frozen=True, slots=True)
class MemberBalance:
    """One member's position in a cycle."""

    member_id: int
    shares: int
    savings: int
    social_fund_contributions: int
    fines: int
    principal_outstanding: int


@dataclass(frozen=True, slots=True)
class Loan:
    id: int
    cycle_id: int
    member_id: int
    meeting_id: int
    terms: LoanTerms
    purpose: LoanPurpose
    ref: str | None = None


@dataclass(frozen=True)
class LoanStatement(Tabular):
    """A borrower's statement: the loan, its schedule, its payments and its position."""

    loan: Loan
    member: Member
    schedule: tuple[Instalment, ...]
    payments: tuple[LoanPayment, ...]
    position: LoanPosition

    def rows(self) -> list[dict[str, Any]]:
        """The schedule, one row per month: due date, principal and interest payable."""
        return [
            {
                "month": i.number,
                "due_on": i.due_on,
                "principal": i.principal,
                "interest": i.interest,
            }
            for i in self.schedule
        ]

    def to_text(self) -> str:
        terms, pos = self.loan.terms, self.position
        lines = [
            f"Loan #{self.loan.id} to {self.member.full_name} (member #{self.member.id})",
            f"  disbursed {terms.disbursed_on}: {format_money(terms.principal)} at "
            f"{(terms.interest_rate * 100).normalize():f} %/month, {terms.method.value}, "
            f"{terms.term_months} month(s), due {pos.due_on}; purpose {self.loan.purpose.value}",
            "  schedule:",
        ]
        for inst in self.schedule:
            lines.append(
                f"    {inst.number:>2}  {inst.due_on}  principal {format_money(inst.principal):>14}"
                f"  interest {format_money(inst.interest):>12}"
            )
        lines.append("  payments:")
        for p in self.payments:
            lines.append(
                f"    {p.on}  principal {format_money(p.principal):>14}"
                f"  interest {format_money(p.interest):>12}"
            )
        lines += [
            f"  as of {pos.on}: principal outstanding {format_money(pos.principal_outstanding)}, "
            f"interest charged {format_money(pos.interest_charged)}, "
            f"paid {format_money(pos.interest_paid)}, due now {format_money(pos.amount_due)}",
            f"  OVERDUE by {pos.days_overdue} day(s)" if pos.is_overdue else "  not overdue",
        ]
        return "\n".join(lines)


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 driver, decide where transactions begin: the driver
    # would otherwise start one only at the first write, so a SAVEPOINT issued earlier
    # (Store.transaction) would become the outer transaction and commit on release.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
    sqlite_on_connect(dbapi_connection)  # the busy timeout


def _sqlite_begin(conn: Connection) -> None:
    sqlite_on_begin(conn)  # BEGIN IMMEDIATE for a store write, BEGIN for a read


def open_store(
    url: str | Path | Engine | None = None,
    *,
    create: bool = True,
    upgrade: bool = True,
    busy_timeout: float | None = None,
) -> Store:
    """Open (and by default create) a vsla database.

    - ``None``: the embedded default, a SQLite file ``vsla.db`` in the working directory;
    - ``":memory:"``: a private in-memory SQLite database (for tests and notebooks);
    - a path (``"kontum.db"``, a :class:`~pathlib.Path`): a SQLite file;
    - a SQLAlchemy URL (``"postgresql+psycopg://user@host/db"``) or an :class:`Engine`.

    An empty database gets the current schema (unless ``create=False``). A database made
    by an older vsla is upgraded to this version's schema, every row kept, in one
    transaction; with ``upgrade=False`` it is refused instead. A database made by a newer
    vsla is refused: :class:`~vsla.errors.SchemaMismatch` (see :mod:`vsla.store.schema`).

    ``busy_timeout`` (SQLite, seconds; default 15): how long a write waits for another
    process's write to finish before :class:`~vsla.errors.DatabaseBusy`.
    """
    from vsla.store.schema import ensure_schema

    if isinstance(url, Engine):
        if busy_timeout is not None:
            raise InvalidInput(
                "busy_timeout is for a database vsla opens; for an Engine of your own, pass "
                'create_engine(url, connect_args={"timeout": seconds})'
            )
        engine = url
    else:
        text = "vsla.db" if url is None else str(url)
        sqlite_args: dict[str, Any] = {}
        if busy_timeout is not None:
            if isinstance(busy_timeout, bool) or not 0 <= busy_timeout <= 86_400:
                raise InvalidInput(
                    f"busy_timeout is a number of seconds from 0 to 86400, got {busy_timeout!r}"
                )
            if "://" in text and not text.startswith("sqlite"):
                raise InvalidInput("busy_timeout applies to SQLite databases only")
            sqlite_args["timeout"] = busy_timeout
        if text == ":memory:":
            engine = create_engine(
                "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
            )
        elif "://" in text:
            engine = create_engine(text, connect_args=sqlite_args)
        else:
            engine = create_engine(f"sqlite:///{text}", connect_args=sqlite_args)
    if engine.dialect.name == "sqlite" and not event.contains(engine, "connect", _sqlite_connect):
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    store = Store(engine)
    with store._store_errors():  # a missing directory, a read-only file: a StoreError
        ensure_schema(engine, create=create, upgrade=upgrade)
    return store


_NETTED_AT_SHARE_OUT = "netted at share-out"


def _settlement_entries(loan: LoanState, pos: LoanPosition, memo: str) -> list[PlannedEntry]:
    """The entries that settle a loan in full today: interest, then principal."""
    interest = pos.settlement_amount - pos.principal_outstanding
    return [
        PlannedEntry(kind, amount, member_id=loan.member_id, loan_id=loan.id, memo=memo)
        for kind, amount in (
            (EntryKind.INTEREST_PAYMENT, interest),
            (EntryKind.PRINCIPAL_REPAYMENT, pos.principal_outstanding),
        )
        if amount
    ]


def _entry_row(
    cycle_id: int,
    meeting_id: int,
    on: dt.date,
    planned: PlannedEntry,
    loan_id: int | None,
    reverses_id: int | None = None,
) -> dict[str, Any]:
    """The ``entries`` row of a planned entry (its loan id already resolved)."""
    return {
        "cycle_id": cycle_id,
        "meeting_id": meeting_id,
        "date": on,
        "kind": planned.kind.value,
        "amount": planned.amount,
        "shares": planned.shares,
        "member_id": planned.member_id,
        "loan_id": loan_id,
        "memo": planned.memo,
        "reverses_id": reverses_id,
    }


def _entries_from_rows(ids: Sequence[int], rows: Sequence[dict[str, Any]]) -> list[LedgerEntry]:
    """The entries just written: their rows with the ids the database gave them."""
    return [
        LedgerEntry(
            id=entry_id,
            cycle_id=row["cycle_id"],
            meeting_id=row["meeting_id"],
            date=row["date"],
            kind=EntryKind(row["kind"]),
            amount=row["amount"],
            member_id=row["member_id"],
            loan_id=row["loan_id"],
            shares=row["shares"],
            memo=row["memo"],
            reverses_id=row["reverses_id"],
        )
        for entry_id, row in zip(ids, rows, strict=True)
    ]


def _insert_many(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` in one executemany and return their ids, in the order of ``rows``.

    PostgreSQL returns them with ``INSERT … RETURNING`` (SQLAlchemy keeps the order). On
    SQLite, ``RETURNING`` in that order costs one statement per row, so the rows go in with
    one ``executemany`` and their ids are read back: SQLite gives each new row the largest
    rowid plus one, and the transaction holds the write lock, so the ids of this insert are
    exactly those above the largest id before it, ascending in insertion order.
    """
    if not rows:
        return []
    id_column = table.c.id
    if conn.dialect.name != "sqlite":
        return list(
            conn.execute(
                table.insert().returning(id_column, sort_by_parameter_order=True), rows
            ).scalars()
        )
    top = conn.execute(select(func.max(id_column))).scalar_one_or_none() or 0
    # the driver's own executemany: SQLAlchemy's per-row parameter processing costs more
    # than the insert itself. Dates go in as SQLAlchemy's SQLite DATE stores them (ISO).
    names = [c.name for c in table.c if c.name in rows[0]]
    values = list(map(itemgetter(*names), rows))
    for i, name in enumerate(names):
        if isinstance(table.c[name].type, Date):
            iso = {day: day.isoformat() for day in {v[i] for v in values if v[i] is not None}}
            values = [(*v[:i], iso.get(v[i]), *v[i + 1 :]) for v in values]
    conn.exec_driver_sql(
        f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
        values,
    )
    ids = list(conn.execute(select(id_column).where(id_column > top).order_by(id_column)).scalars())
    if len(ids) != len(rows):  # pragma: no cover - would mean another writer interleaved
        raise RuntimeError(f"{table.name}: inserted {len(rows)} rows but found {len(ids)} ids")
    return ids


def programme_from_row(row: Row[Any]) -> Programme:
    """A ``programmes`` row as a :class:`Programme` (targets are stored as JSON)."""
    data = row._asdict()
    data["targets"] = Targets.model_validate(data["targets"])
    return Programme.model_validate(data)


def _member(row: Row[Any]) -> Member:
    return Member.model_validate(row._asdict())


def _group(row: Row[Any]) -> Group:
    return Group.model_validate(row._asdict())


@checked_arguments  # ids, dates and texts from data are refused as InvalidInput
class Store(ActivityStore):
    """A vsla database. Get one with :func:`vsla.open`."""

    def __repr__(self) -> str:
        return f"<vsla.Store {self.engine.url.render_as_string(hide_password=True)}>"

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # ------------------------------------------------------------------ programmes, groups

    @retry_conflicts
    def add_programme(self, new: NewProgramme) -> Programme:
        with self._begin() as conn:
            values = new.model_dump(mode="json")
            values["period_start"], values["period_end"] = new.period_start, new.period_end
            pid = conn.execute(t.programmes.insert().values(**values)).inserted_primary_key
            assert pid is not None
            return Programme(id=pid[0], **new.model_dump())

    def programme(self, programme_id: int) -> Programme:
        with self._connect() as conn:
            row = conn.execute(
                select(t.programmes).where(t.programmes.c.id == programme_id)
            ).one_or_none()
        if row is None:
            raise NotFound(f"programme #{programme_id} does not exist")
        return programme_from_row(row)

    def programmes(self) -> list[Programme]:
        with self._connect() as conn:
            ids = conn.execute(select(t.programmes.c.id).order_by(t.programmes.c.id)).scalars()
            id_list = list(ids)
        return [self.programme(i) for i in id_list]

    @retry_conflicts
    def add_group(self, new: NewGroup) -> Group:
        with self._begin() as conn:
            if new.programme_id is not None:
                self._require(conn, t.programmes, new.programme_id, "programme")
            try:
                gid = conn.execute(
                    t.groups.insert().values(**new.model_dump())
                ).inserted_primary_key
            except IntegrityError as exc:
                raise InvalidInput(f"group code {new.code!r} is already used") from exc
            assert gid is not None
            return Group(id=gid[0], **new.model_dump())

    def group(self, group_id_or_code: int | str) -> Group:
        col = t.groups.c.code if isinstance(group_id_or_code, str) else t.groups.c.id
        with self._connect() as conn:
            row = conn.execute(select(t.groups).where(col == group_id_or_code)).one_or_none()
        if row is None:
            raise NotFound(f"group {group_id_or_code!r} does not exist")
        return _group(row)

    def groups(self, programme_id: int | None = None) -> list[Group]:
        query = select(t.groups).order_by(t.groups.c.id)
        if programme_id is not None:
            query = query.where(t.groups.c.programme_id == programme_id)
        with self._connect() as conn:
            return [_group(r) for r in conn.execute(query)]

    # ------------------------------------------------------------------ members

    def add_member(self, new: NewMember) -> Member:
        return self.add_members([new])[0]

    @retry_conflicts
    def add_members(self, new: Sequence[NewMember]) -> list[Member]:
        """Add several members in one transaction (all or none)."""
        out: list[Member] = []
        with self._begin() as conn:
            next_number: dict[int, int] = {}
            for m in new:
                if m.group_id not in next_number:
                    self._require(conn, t.groups, m.group_id, "group")
                    # concurrent adders to one group queue here, so each reads the numbers
                    # the others committed and none takes a number twice
                    self._lock(conn, t.groups, m.group_id)
                    top = conn.execute(
                        select(func.max(t.members.c.number)).where(
                            t.members.c.group_id == m.group_id
                        )
                    ).scalar_one_or_none()
                    next_number[m.group_id] = (top or 0) + 1
                number = m.number if m.number is not None else next_number[m.group_id]
                next_number[m.group_id] = max(next_number[m.group_id], number + 1)
                values = {**m.model_dump(), "number": number}
                try:
                    mid = conn.execute(t.members.insert().values(**values)).inserted_primary_key
                except IntegrityError as exc:
                    raise InvalidInput(
                        f"group #{m.group_id} already has a member number {number} "
                        f"({m.full_name} cannot take it)"
                    ) from exc
                assert mid is not None
                out.append(Member(id=mid[0], **values))
        return out

    def member(self, member_id: int) -> Member:
        with self._connect() as conn:
            row = conn.execute(select(t.members).where(t.members.c.id == member_id)).one_or_none()
        if row is None:
            raise NotFound(f"member #{member_id} does not exist")
        return _member(row)

    def member_by_number(self, group_id: int, number: int) -> Member:
        """A member by their number within the group."""
        with self._connect() as conn:
            row = conn.execute(
                select(t.members).where(
                    t.members.c.group_id == group_id, t.members.c.number == number
                )
            ).one_or_none()
        if row is None:
            raise NotFound(f"group #{group_id} has no member number {number}")
        return _member(row)

    def members(self, group_id: int, *, active_on: dt.date | None = None) -> list[Member]:
        """The group's members by number; only those active on ``active_on`` if given."""
        with self._connect() as conn:
            found = self._members(conn, group_id)
        return [m for m in found if active_on is None or m.is_active(active_on)]

    @staticmethod
    def _members(conn: Connection, group_id: int) -> list[Member]:
        rows = conn.execute(
            select(t.members).where(t.members.c.group_id == group_id).order_by(t.members.c.number)
        )
        return [_member(r) for r in rows]

    # ------------------------------------------------------------------ cycles

    @retry_conflicts
    def start_cycle(
        self,
        group_id: int,
        *,
        start: dt.date,
        end: dt.date,
        constitution: Constitution,
        officers: Mapping[int, OfficerRole | str | Iterable[OfficerRole | str]] | None = None,
    ) -> Cycle:
        """Start a group's first cycle, or a new one when the previous one is shared out.

        A cycle that follows a shared-out cycle opens with that cycle's social fund and its
        share-out remainder kept as cash (see :meth:`start_next_cycle`).
        """
        with self._begin() as conn:
            return self._start_cycle(conn, group_id, start, end, constitution, officers, None)

    @retry_conflicts
    def start_next_cycle(
        self,
        previous_cycle_id: int,
        *,
        start: dt.date,
        end: dt.date,
        constitution: Constitution | None = None,
        officers: Mapping[int, OfficerRole | str | Iterable[OfficerRole | str]] | None = None,
    ) -> Cycle:
        """Start the cycle after a shared-out one, carrying its members, social fund and
        remainder; the constitution defaults to the previous one."""
        with self._begin() as conn:
            prev = self._cycle(conn, previous_cycle_id)
            if prev.shared_out_on is None:
                raise ShareOutRefused(
                    f"cycle #{prev.id} has not been shared out: share it out before starting "
                    "the next cycle"
                )
            if start < prev.shared_out_on:
                raise InvalidInput(
                    f"the next cycle starts on {start}, "
                    f"before the share-out of {prev.shared_out_on}"
                )
            return self._start_cycle(
                conn,
                prev.group_id,
                start,
                end,
                constitution or prev.constitution,
                officers,
                prev,
            )

    def _start_cycle(
        self,
        conn: Connection,
        group_id: int,
        start: dt.date,
        end: dt.date,
        constitution: Constitution,
        officers: Mapping[int, OfficerRole | str | Iterable[OfficerRole | str]] | None,
        previous: Cycle | None,
    ) -> Cycle:
        group = _group(self._require(conn, t.groups, group_id, "group"))
        self._lock(conn, t.groups, group_id)  # two clerks starting its cycle queue here
        if end <= start:
            raise InvalidInput(
                f"group {group.code}: a cycle must end after it starts ({start}, {end})"
            )
        last = conn.execute(
            select(t.cycles)
            .where(t.cycles.c.group_id == group_id)
            .order_by(t.cycles.c.number.desc())
            .limit(1)
        ).one_or_none()
        if last is not None:
            if last.shared_out_on is None:
                raise InvalidInput(
                    f"group {group.code}: cycle {last.number} is still running; "
                    "share it out before starting another"
                )
            if previous is None:
                previous = self._cycle(conn, last.id)
        number = 1 if last is None else last.number + 1
        cid = conn.execute(
            t.cycles.insert().values(
                group_id=group_id,
                number=number,
                start_date=start,
                end_date=end,
                share_value=constitution.share_value,
                constitution=constitution.model_dump(mode="json"),
                previous_cycle_id=None if previous is None else previous.id,
            )
        ).inserted_primary_key
        assert cid is not None
        cycle_id: int = cid[0]
        roles: dict[int, tuple[OfficerRole, ...]] = {}
        for member_id, role in (officers or {}).items():
            member = _member(self._require(conn, t.members, member_id, "member"))
            if member.group_id != group_id:
                raise InvalidInput(f"{member.label()} is not a member of group {group.code}")
            these = (OfficerRole(role),) if isinstance(role, str) else tuple(map(OfficerRole, role))
            roles[member_id] = these
            for r in these:
                conn.execute(
                    t.officers.insert().values(cycle_id=cycle_id, member_id=member_id, role=r)
                )
        if previous is not None:
            prev_bal = self._balances(conn, previous.id, None)
            carried: list[PlannedEntry] = []
            if prev_bal.loan_fund_cash:
                carried.append(
                    PlannedEntry(
                        EntryKind.OPENING_LOAN_FUND,
                        prev_bal.loan_fund_cash,
                        memo=f"carried from cycle {previous.number}",
                    )
                )
            if prev_bal.social_fund_cash:
                carried.append(
                    PlannedEntry(
                        EntryKind.OPENING_SOCIAL_FUND,
                        prev_bal.social_fund_cash,
                        memo=f"carried from cycle {previous.number}",
                    )
                )
            if carried:
                meeting_id = self._insert_meeting(conn, cycle_id, start)
                self._insert_entries(conn, cycle_id, meeting_id, start, carried, [])
        return Cycle(
            id=cycle_id,
            group_id=group_id,
            number=number,
            start_date=start,
            end_date=end,
            constitution=constitution,
            officers=roles,
            previous_cycle_id=None if previous is None else previous.id,
        )

    def cycle(self, cycle_id: int) -> Cycle:
        with self._connect() as conn:
            return self._cycle(conn, cycle_id)

    def cycles(self, group_id: int) -> list[Cycle]:
        with self._connect() as conn:
            ids = list(
                conn.execute(
                    select(t.cycles.c.id)
                    .where(t.cycles.c.group_id == group_id)
                    .order_by(t.cycles.c.number)
                ).scalars()
            )
            return [self._cycle(conn, i) for i in ids]

    def current_cycle(self, group_id: int) -> Cycle:
        """The group's latest cycle."""
        found = self.cycles(group_id)
        if not found:
            raise NotFound(f"group #{group_id} has no cycle")
        return found[-1]

    def _cycle(self, conn: Connection, cycle_id: int, *, lock: bool = False) -> Cycle:
        query = select(t.cycles).where(t.cycles.c.id == cycle_id)
        if lock:
            query = query.with_for_update()
        row = conn.execute(query).one_or_none()
        if row is None:
            raise NotFound(f"cycle #{cycle_id} does not exist")
        roles: dict[int, list[OfficerRole]] = defaultdict(list)
        for member_id, role in conn.execute(
            select(t.officers.c.member_id, t.officers.c.role).where(
                t.officers.c.cycle_id == cycle_id
            )
        ):
            roles[member_id].append(OfficerRole(role))
        return Cycle(
            id=row.id,
            group_id=row.group_id,
            number=row.number,
            start_date=row.start_date,
            end_date=row.end_date,
            constitution=Constitution.model_validate(row.constitution),
            officers={k: tuple(v) for k, v in roles.items()},
            previous_cycle_id=row.previous_cycle_id,
            shared_out_on=row.shared_out_on,
        )

    # ------------------------------------------------------------------ meetings

    def record_meeting(self, cycle_id: int, meeting: MeetingInput) -> MeetingRecord:
        """Record a whole meeting, all or nothing (domain.md section 5)."""
        return self.record_meetings(cycle_id, [meeting])[0]

    @retry_conflicts
    def record_meetings(
        self, cycle_id: int, meetings: Sequence[MeetingInput]
    ) -> list[MeetingRecord]:
        """Record several meetings of one cycle in date order, all or nothing.

        Each meeting is checked against the state the previous ones leave, exactly as if
        they were recorded one by one; if any is refused, none is written. This is the path
        for importing a ledger and for loading a whole cycle quickly.
        """
        with self._begin() as conn:
            state = self._state(conn, cycle_id)
            plans: list[tuple[MeetingPlan, list[int]]] = []
            for meeting in meetings:
                plan = plan_meeting(state, meeting)
                # loans get their ids when the batch is written; until then negative
                # stand-ins, so a later meeting of the batch can repay them (by ref)
                first = -1 - sum(len(p.new_loans) for p, _ in plans)
                stand_ins = [first - i for i in range(len(plan.new_loans))]
                state = advance(state, plan, stand_ins)
                plans.append((plan, stand_ins))
            return self._write_plans(conn, cycle_id, plans)

    def _write_plans(
        self, conn: Connection, cycle_id: int, plans: Sequence[tuple[MeetingPlan, list[int]]]
    ) -> list[MeetingRecord]:
        """Write planned meetings with one multi-row INSERT per table (the bulk path).

        ``plans`` pairs each plan with the stand-in ids (negative) its new loans were given
        while the batch was planned; entries naming a stand-in get the loan's real id.
        """
        if not plans:
            return []
        dates = [plan.date for plan, _ in plans]
        existing = self._meeting_rows(conn, cycle_id, dates, minutes=True)
        meeting_ids = [existing[day][0] for day in dates]
        attendance = [
            {"meeting_id": mid, "member_id": m, "status": s.value}
            for (plan, _), mid in zip(plans, meeting_ids, strict=True)
            for m, s in plan.attendance.items()
        ]
        if attendance:
            conn.execute(t.attendance.insert(), attendance)
        # loans, then the stand-in -> real id map
        loan_rows = [
            {
                "cycle_id": cycle_id,
                "member_id": new.member_id,
                "meeting_id": mid,
                "disbursed_on": new.terms.disbursed_on,
                "principal": new.terms.principal,
                "interest_rate": str(new.terms.interest_rate),
                "term_months": new.terms.term_months,
                "method": new.terms.method.value,
                "principal_schedule": new.terms.principal_schedule.value,
                "rounding": new.terms.rounding.value,
                "purpose": new.purpose.value,
                "ref": new.ref,
            }
            for (plan, _), mid in zip(plans, meeting_ids, strict=True)
            for new in plan.new_loans
        ]
        real: dict[int, int] = {}
        if loan_rows:
            loan_ids = _insert_many(conn, t.loans, loan_rows)
            stand_ins = [i for _, ids in plans for i in ids]
            real = dict(zip(stand_ins, loan_ids, strict=True))
        # entries, all meetings in one statement
        rows: list[dict[str, Any]] = []
        for (plan, ids), mid in zip(plans, meeting_ids, strict=True):
            for p in plan.entries:
                loan_id = ids[p.new_loan] if p.new_loan is not None else p.loan_id
                real_loan = real.get(loan_id, loan_id) if loan_id is not None else None
                rows.append(_entry_row(cycle_id, mid, plan.date, p, real_loan))
        written = _entries_from_rows(_insert_many(conn, t.entries, rows), rows)
        records: list[MeetingRecord] = []
        start = 0
        for (plan, _), mid in zip(plans, meeting_ids, strict=True):
            entries = tuple(written[start : start + len(plan.entries)])
            start += len(plan.entries)
            records.append(
                MeetingRecord(
                    id=mid,
                    cycle_id=cycle_id,
                    date=plan.date,
                    number=existing[plan.date][1],
                    attendance=dict(plan.attendance),
                    entries=entries,
                )
            )
        return records

    def _insert_meeting(
        self, conn: Connection, cycle_id: int, on: dt.date, *, minutes: bool = False
    ) -> int:
        """The meeting of ``on`` (created if needed); ``minutes``: record_meeting writes it."""
        return self._meeting_rows(conn, cycle_id, [on], minutes=minutes)[on][0]

    def _meeting_rows(
        self, conn: Connection, cycle_id: int, dates: Sequence[dt.date], *, minutes: bool
    ) -> dict[dt.date, tuple[int, int]]:
        """(id, number) of the meeting of each date, created where missing and numbered in
        date order after the cycle's others. A date's row may exist already (a write-off,
        an opening balance): with ``minutes`` it is marked as recorded whole."""
        found = {
            day: (mid, number)
            for mid, day, number in conn.execute(
                select(t.meetings.c.id, t.meetings.c.date, t.meetings.c.number).where(
                    t.meetings.c.cycle_id == cycle_id, t.meetings.c.date.in_(set(dates))
                )
            )
        }
        if found and minutes:
            conn.execute(
                t.meetings.update()
                .where(t.meetings.c.id.in_([mid for mid, _ in found.values()]))
                .values(minutes_recorded=True)
            )
        fresh = [day for day in dates if day not in found]
        if fresh:
            count = conn.execute(
                select(func.count())
                .select_from(t.meetings)
                .where(t.meetings.c.cycle_id == cycle_id)
            ).scalar_one()
            numbers = {day: count + 1 + i for i, day in enumerate(fresh)}
            rows = [
                {"cycle_id": cycle_id, "date": d, "number": numbers[d], "minutes_recorded": minutes}
                for d in fresh
            ]
            ids = _insert_many(conn, t.meetings, rows)
            found.update({d: (mid, numbers[d]) for d, mid in zip(fresh, ids, strict=True)})
        return found

    def _insert_entries(
        self,
        conn: Connection,
        cycle_id: int,
        meeting_id: int,
        on: dt.date,
        planned: Sequence[PlannedEntry],
        loan_ids: Sequence[int],
        reverses: Sequence[int | None] | None = None,
    ) -> list[LedgerEntry]:
        if not planned:
            return []
        resolved_loans = [
            loan_ids[p.new_loan] if p.new_loan is not None else p.loan_id for p in planned
        ]
        reversed_ids: list[int | None] = list(reverses or [None] * len(planned))
        rows = [
            _entry_row(cycle_id, meeting_id, on, p, loan_id, reversed_id)
            for p, loan_id, reversed_id in zip(planned, resolved_loans, reversed_ids, strict=True)
        ]
        return _entries_from_rows(_insert_many(conn, t.entries, rows), rows)

    def meetings(self, cycle_id: int) -> list[MeetingRecord]:
        with self._connect() as conn:
            rows = list(
                conn.execute(
                    select(t.meetings)
                    .where(t.meetings.c.cycle_id == cycle_id)
                    .order_by(t.meetings.c.date)
                )
            )
            entries = self._entries(conn, cycle_id)
            att: dict[int, dict[int, Attendance]] = defaultdict(dict)
            for a in conn.execute(
                select(t.attendance).join(t.meetings).where(t.meetings.c.cycle_id == cycle_id)
            ):
                att[a.meeting_id][a.member_id] = Attendance(a.status)
        by_meeting: dict[int, list[LedgerEntry]] = defaultdict(list)
        for e in entries:
            by_meeting[e.meeting_id].append(e)
        return [
            MeetingRecord(
                id=r.id,
                cycle_id=cycle_id,
                date=r.date,
                number=r.number,
                attendance=att[r.id],
                entries=tuple(by_meeting[r.id]),
            )
            for r in rows
        ]

    # ------------------------------------------------------------------ ledger

    def entries(self, cycle_id: int) -> list[LedgerEntry]:
        """Every entry of a cycle, in the order recorded."""
        with self._connect() as conn:
            return self._entries(conn, cycle_id)

    def _entries(self, conn: Connection, cycle_id: int) -> list[LedgerEntry]:
        rows = conn.execute(
            select(t.entries).where(t.entries.c.cycle_id == cycle_id).order_by(t.entries.c.id)
        )
        return [
            LedgerEntry(
                id=r.id,
                cycle_id=r.cycle_id,
                meeting_id=r.meeting_id,
                date=r.date,
                kind=EntryKind(r.kind),
                amount=r.amount,
                member_id=r.member_id,
                loan_id=r.loan_id,
                shares=r.shares,
                memo=r.memo,
                reverses_id=r.reverses_id,
            )
            for r in rows
        ]

    def balances(self, cycle_id: int, on: dt.date | None = None) -> Balances:
        """The cycle's balances after the last meeting on or before ``on`` (default: all)."""
        with self._connect() as conn:
            self._cycle(conn, cycle_id)
            return self._balances(conn, cycle_id, on)

    def _totals(self, conn: Connection, cycle_id: int, on: dt.date | None) -> dict[EntryKind, int]:
        """Σ amount per entry kind: the one aggregate every balance is derived from."""
        where = [t.entries.c.cycle_id == cycle_id]
        if on is not None:
            where.append(t.entries.c.date <= on)
        return {
            EntryKind(kind): int(amount)
            for kind, amount in conn.execute(
                select(t.entries.c.kind, func.sum(t.entries.c.amount))
                .where(*where)
                .group_by(t.entries.c.kind)
            )
        }

    def _balances(self, conn: Connection, cycle_id: int, on: dt.date | None) -> Balances:
        where = [t.entries.c.cycle_id == cycle_id]
        if on is not None:
            where.append(t.entries.c.date <= on)
        shares = conn.execute(
            select(func.coalesce(func.sum(t.entries.c.shares), 0)).where(*where)
        ).scalar_one()
        share_value = conn.execute(
            select(t.cycles.c.share_value).where(t.cycles.c.id == cycle_id)
        ).scalar_one()
        return balances_from_totals(self._totals(conn, cycle_id, on), int(shares), int(share_value))

    def balance_history(self, cycle_id: int) -> list[tuple[dt.date, Balances]]:
        """The balances after each date that has entries, in date order (one query).

        This is the series behind a chart of savings, cash and loans over a cycle; each point
        equals ``balances(cycle_id, on=that date)``.
        """
        with self._connect() as conn:
            cycle = self._cycle(conn, cycle_id)
            rows = conn.execute(
                select(
                    t.entries.c.date,
                    t.entries.c.kind,
                    func.sum(t.entries.c.amount),
                    func.sum(t.entries.c.shares),
                )
                .where(t.entries.c.cycle_id == cycle_id)
                .group_by(t.entries.c.date, t.entries.c.kind)
                .order_by(t.entries.c.date)
            ).all()
        totals: dict[EntryKind, int] = defaultdict(int)
        shares = 0
        history: list[tuple[dt.date, Balances]] = []
        for i, (day, kind, amount, n) in enumerate(rows):
            totals[EntryKind(kind)] += int(amount)
            shares += int(n)
            if i + 1 == len(rows) or rows[i + 1][0] != day:
                history.append(
                    (day, balances_from_totals(totals, shares, cycle.constitution.share_value))
                )
        return history

    def member_balances(self, cycle_id: int, on: dt.date | None = None) -> list[MemberBalance]:
        """Each member's shares, savings, contributions, fines and principal outstanding."""
        with self._connect() as conn:
            cycle = self._cycle(conn, cycle_id)
            where = [t.entries.c.cycle_id == cycle_id, t.entries.c.member_id.is_not(None)]
            if on is not None:
                where.append(t.entries.c.date <= on)
            per: dict[int, dict[EntryKind, int]] = defaultdict(dict)
            shares: dict[int, int] = defaultdict(int)
            for member_id, kind, amount, n in conn.execute(
                select(
                    t.entries.c.member_id,
                    t.entries.c.kind,
                    func.sum(t.entries.c.amount),
                    func.sum(t.entries.c.shares),
                )
                .where(*where)
                .group_by(t.entries.c.member_id, t.entries.c.kind)
            ):
                per[member_id][EntryKind(kind)] = int(amount)
                shares[member_id] += int(n)
            member_ids = [m.id for m in self._members(conn, cycle.group_id)]
        out = []
        for mid in member_ids:
            k = per.get(mid, {})
            out.append(
                MemberBalance(
                    member_id=mid,
                    shares=shares.get(mid, 0),
                    savings=shares.get(mid, 0) * cycle.constitution.share_value,
                    social_fund_contributions=k.get(EntryKind.SOCIAL_CONTRIBUTION, 0),
                    fines=k.get(EntryKind.FINE, 0),
                    principal_outstanding=k.get(EntryKind.LOAN_DISBURSEMENT, 0)
                    - k.get(EntryKind.PRINCIPAL_REPAYMENT, 0)
                    - k.get(EntryKind.WRITE_OFF, 0),
                )
            )
        return out

    @retry_conflicts
    def reverse_entry(self, entry_id: int, *, on: dt.date, reason: str) -> LedgerEntry:
        """Cancel an entry with a new, reversing entry dated ``on`` (history stays intact)."""
        if not reason.strip():
            raise InvalidInput("a reversal needs a reason")
        with self._begin() as conn:
            row = conn.execute(select(t.entries).where(t.entries.c.id == entry_id)).one_or_none()
            if row is None:
                raise NotFound(f"entry #{entry_id} does not exist")
            state = self._state(conn, row.cycle_id)
            check_can_record(state, on, same_day_ok=True)
            if row.reverses_id is not None:
                raise EntryNotReversible(
                    f"{state.group_label}: entry #{entry_id} is itself a reversal; "
                    "record the correct entry instead"
                )
            already = conn.execute(
                select(t.entries.c.id).where(t.entries.c.reverses_id == entry_id)
            ).scalar_one_or_none()
            if already is not None:
                raise EntryNotReversible(
                    f"{state.group_label}: entry #{entry_id} was already reversed "
                    f"by entry #{already}"
                )
            kind = EntryKind(row.kind)
            if kind in (
                EntryKind.SHARE_OUT_PAYOUT,
                EntryKind.OPENING_LOAN_FUND,
                EntryKind.OPENING_SOCIAL_FUND,
                EntryKind.EXIT_PAYOUT,
            ):
                raise EntryNotReversible(
                    f"{state.group_label}: a {kind.value.replace('_', ' ')} entry "
                    "cannot be reversed"
                )
            if kind is EntryKind.LOAN_DISBURSEMENT:
                others = conn.execute(
                    select(func.count())
                    .select_from(t.entries)
                    .where(
                        t.entries.c.loan_id == row.loan_id,
                        t.entries.c.id != entry_id,
                        t.entries.c.memo != "upfront",
                    )
                ).scalar_one()
                if others:
                    raise EntryNotReversible(
                        f"{state.group_label}: loan #{row.loan_id} has repayments or write-offs; "
                        "reverse those first"
                    )
            planned = PlannedEntry(
                kind,
                -row.amount,
                member_id=row.member_id,
                loan_id=row.loan_id,
                shares=-row.shares,
                memo=f"reverses #{entry_id}: {reason}",
            )
            _Boxes(state, on).apply(planned, f" (reversal of entry #{entry_id})")
            meeting_id = self._insert_meeting(conn, row.cycle_id, on)
            return self._insert_entries(
                conn, row.cycle_id, meeting_id, on, [planned], [], [entry_id]
            )[0]

    # ------------------------------------------------------------------ loans

    def loans(
        self, cycle_id: int, *, member_id: int | None = None, include_cancelled: bool = True
    ) -> list[Loan]:
        """The cycle's loans (of one member), in the order made. A cancelled loan is one
        whose disbursement was reversed; ``include_cancelled=False`` leaves them out."""
        query = select(t.loans).where(t.loans.c.cycle_id == cycle_id).order_by(t.loans.c.id)
        if member_id is not None:
            query = query.where(t.loans.c.member_id == member_id)
        if not include_cancelled:
            live = (
                select(t.entries.c.loan_id)
                .where(t.entries.c.kind == EntryKind.LOAN_DISBURSEMENT.value)
                .group_by(t.entries.c.loan_id)
                .having(func.sum(t.entries.c.amount) != 0)
            )
            query = query.where(t.loans.c.id.in_(live))
        with self._connect() as conn:
            return [self._loan(r) for r in conn.execute(query)]

    def loan(self, loan_id: int) -> Loan:
        with self._connect() as conn:
            return self._loan(self._require(conn, t.loans, loan_id, "loan"))

    def _loan(self, r: Row[Any]) -> Loan:
        return Loan(
            id=r.id,
            cycle_id=r.cycle_id,
            member_id=r.member_id,
            meeting_id=r.meeting_id,
            terms=self._terms(r),
            purpose=LoanPurpose(r.purpose),
            ref=r.ref,
        )

    def loan_position(self, loan_id: int, on: dt.date) -> LoanPosition:
        """Principal outstanding, interest charged and due, overdue days, on a date."""
        with self._connect() as conn:
            row = self._require(conn, t.loans, loan_id, "loan")
            state = self._loan_states(conn, row.cycle_id, loan_id).get(loan_id)
        if state is None:
            raise NotFound(f"loan #{loan_id} was cancelled (its disbursement was reversed)")
        return state.position(on)

    def loan_statement(self, loan_id: int, on: dt.date) -> LoanStatement:
        """A member's loan statement: disbursed, schedule, payments, interest and balance."""
        with self._connect() as conn:
            row = self._require(conn, t.loans, loan_id, "loan")
            state = self._loan_states(conn, row.cycle_id, loan_id).get(loan_id)
            member = _member(self._require(conn, t.members, row.member_id, "member"))
        if state is None:
            raise NotFound(f"loan #{loan_id} was cancelled (its disbursement was reversed)")
        return LoanStatement(
            loan=self._loan(row),
            member=member,
            schedule=schedule(state.terms),
            payments=state.payments,
            position=state.position(on),
        )

    @retry_conflicts
    def write_off(self, loan_id: int, *, on: dt.date, reason: str) -> LedgerEntry:
        """Write off a loan's remaining principal: it leaves loans outstanding as a loss."""
        if not reason.strip():
            raise InvalidInput("a write-off needs a reason")
        with self._begin() as conn:
            row = self._require(conn, t.loans, loan_id, "loan")
            state = self._state(conn, row.cycle_id)
            check_can_record(state, on, same_day_ok=True)
            loan = state.loans.get(loan_id)
            pos = None if loan is None else loan.position(on)
            if loan is None or pos is None or pos.principal_outstanding <= 0:
                raise InvalidInput(
                    f"{state.group_label}: loan #{loan_id} has no principal outstanding on {on}"
                )
            planned = PlannedEntry(
                EntryKind.WRITE_OFF,
                pos.principal_outstanding,
                member_id=loan.member_id,
                loan_id=loan_id,
                memo=reason,
            )
            meeting_id = self._insert_meeting(conn, row.cycle_id, on)
            return self._insert_entries(conn, row.cycle_id, meeting_id, on, [planned], [])[0]

    # ------------------------------------------------------------------ share-out and exit

    def preview_share_out(self, cycle_id: int, on: dt.date) -> ShareOutResult[int]:
        """The share-out the cycle would get on ``on``, computed but not recorded."""
        with self._connect() as conn:
            state = self._state(conn, cycle_id, lock=False)
            result, _ = self._plan_share_out(state, on)
            return result

    def share_out_result(self, cycle_id: int, on: dt.date | None = None) -> ShareOutResult[int]:
        """The cycle's share-out sheet: the recorded one once the cycle is shared out,
        otherwise a preview on ``on`` (default: the cycle's end date).

        A recorded share-out is rebuilt from the ledger by the same pure ``share_out`` that
        made it, and checked against the payouts recorded.
        """
        with self._connect() as conn:
            state = self._state(conn, cycle_id, lock=False)
            cycle = state.cycle
            if cycle.shared_out_on is None:
                return self._plan_share_out(state, on or cycle.end_date)[0]
            entries = self._entries(conn, cycle_id)
        paid: dict[int, int] = defaultdict(int)
        owed: dict[int, int] = defaultdict(int)
        for e in entries:
            if e.kind is EntryKind.SHARE_OUT_PAYOUT and e.member_id is not None:
                paid[e.member_id] += e.amount
            elif e.memo == _NETTED_AT_SHARE_OUT and e.member_id is not None:
                owed[e.member_id] += e.amount
        moved = state.totals.get(EntryKind.TRANSFER_TO_SOCIAL_FUND, 0)
        distributable = state.balances.loan_fund_cash + sum(paid.values()) + moved
        rules = cycle.constitution
        result = share_out(
            {m: n for m, n in sorted(state.member_shares.items()) if n},
            distributable,
            share_value=rules.share_value,
            cash_step=rules.cash_step,
            owed=dict(owed) or None,
        )
        recorded = {line.member: line.payout for line in result.lines if line.payout}
        if recorded != dict(paid):
            raise VslaError(
                f"cycle #{cycle_id}: the recorded share-out does not match its recomputation "
                f"({dict(paid)} recorded, {recorded} recomputed)"
            )
        return result

    def member_names(self, group_id: int) -> dict[int, str]:
        """``{member id: "Name (no. N)"}``, for printing a share-out sheet."""
        return {m.id: f"{m.full_name} (no. {m.number})" for m in self.members(group_id)}

    @retry_conflicts
    def share_out(self, cycle_id: int, *, on: dt.date) -> ShareOutResult[int]:
        """Share out the loan fund at the cycle's last meeting and close the cycle.

        Refused while loans are outstanding (policy ``refuse``, the default), or each
        borrower's balance is netted against their payout (policy ``net``). The social fund
        stays with the group; the remainder stays as cash or moves to the social fund.
        """
        with self._begin() as conn:
            state = self._state(conn, cycle_id)
            result, planned = self._plan_share_out(state, on)
            meeting_id = self._insert_meeting(conn, cycle_id, on)
            self._insert_entries(conn, cycle_id, meeting_id, on, planned, [])
            conn.execute(
                t.cycles.update().where(t.cycles.c.id == cycle_id).values(shared_out_on=on)
            )
            return result

    def _plan_share_out(
        self, state: CycleState, on: dt.date
    ) -> tuple[ShareOutResult[int], list[PlannedEntry]]:
        check_can_record(state, on, same_day_ok=True)
        rules = state.cycle.constitution
        boxes = _Boxes(state, on)
        planned: list[PlannedEntry] = []
        owed: dict[int, int] = defaultdict(int)
        unsettled: list[str] = []
        for loan in state.loans.values():
            pos = loan.position(on)
            if pos.settled:
                continue
            who = state.members[loan.member_id].label()
            unsettled.append(f"{who} owes {format_money(pos.settlement_amount)} on loan #{loan.id}")
            owed[loan.member_id] += pos.settlement_amount
            for entry in _settlement_entries(loan, pos, _NETTED_AT_SHARE_OUT):
                boxes.apply(entry, "")
                planned.append(entry)
        if unsettled and rules.share_out_loans is ShareOutLoanPolicy.REFUSE:
            raise ShareOutRefused(
                f"{state.group_label}, {on}: share-out refused while loans are outstanding "
                f"(policy share_out_loans=refuse): " + "; ".join(unsettled)
            )
        shares = {mid: n for mid, n in sorted(state.member_shares.items()) if n}
        result = share_out(
            shares,
            boxes.loan_fund,
            share_value=rules.share_value,
            cash_step=rules.cash_step,
            owed=dict(owed) or None,
        )
        for line in result.lines:
            if line.payout:
                entry = PlannedEntry(EntryKind.SHARE_OUT_PAYOUT, line.payout, member_id=line.member)
                boxes.apply(entry, "")
                planned.append(entry)
        if result.remainder and rules.remainder is RemainderPolicy.SOCIAL_FUND:
            planned.append(
                PlannedEntry(
                    EntryKind.TRANSFER_TO_SOCIAL_FUND, result.remainder, memo="share-out remainder"
                )
            )
        return result, planned

    @retry_conflicts
    def settle_member_exit(
        self, member_id: int, *, on: dt.date, reason: ExitReason = ExitReason.VOLUNTARY
    ) -> ExitSettlement:
        """A member leaves mid-cycle: savings back (or a pro-rata value, by policy), minus
        what they owe on their loans; their shares leave the cycle; they are inactive from
        ``on``."""
        with self._begin() as conn:
            member = _member(self._require(conn, t.members, member_id, "member"))
            if not member.is_active(on):
                raise InvalidInput(f"{member.label()} is not active on {on}")
            cycle_id = conn.execute(
                select(t.cycles.c.id)
                .where(t.cycles.c.group_id == member.group_id, t.cycles.c.shared_out_on.is_(None))
                .order_by(t.cycles.c.number.desc())
                .limit(1)
            ).scalar_one_or_none()
            settlement = exit_settlement(0, 1, 0)
            if cycle_id is not None:
                state = self._state(conn, cycle_id)
                check_can_record(state, on, same_day_ok=True)
                rules = state.cycle.constitution
                planned: list[PlannedEntry] = []
                owed = 0
                for loan in state.loans.values():
                    if loan.member_id != member_id:
                        continue
                    pos = loan.position(on)
                    if not pos.settled:
                        owed += pos.settlement_amount
                        planned += _settlement_entries(loan, pos, "netted at exit")
                n = state.member_shares.get(member_id, 0)
                projected: Fraction | None = None
                total_shares = state.balances.shares
                if rules.exit_profit_share is ExitProfitPolicy.PRO_RATA and total_shares:
                    projected = Fraction(
                        state.balances.loan_fund_cash + state.balances.loans_outstanding,
                        total_shares,
                    )
                try:
                    settlement = exit_settlement(
                        n,
                        rules.share_value,
                        owed,
                        projected_value_per_share=projected,
                        cash_step=rules.cash_step,
                    )
                except ShareOutRefused as exc:
                    raise ShareOutRefused(f"{state.group_label}, {member.label()}: {exc}") from exc
                if settlement.gross or n:
                    planned.append(
                        PlannedEntry(
                            EntryKind.EXIT_PAYOUT,
                            settlement.gross,
                            member_id=member_id,
                            shares=-n,
                            memo=f"exit: {reason.value}",
                        )
                    )
                boxes = _Boxes(state, on)
                for p in planned:
                    boxes.apply(p, f" to {member.label()}")
                if planned:
                    meeting_id = self._insert_meeting(conn, cycle_id, on)
                    self._insert_entries(conn, cycle_id, meeting_id, on, planned, [])
            conn.execute(
                t.members.update()
                .where(t.members.c.id == member_id)
                .values(left_on=on, exit_reason=reason.value)
            )
            return settlement

    # ------------------------------------------------------------------ state

    def _state(self, conn: Connection, cycle_id: int, *, lock: bool = True) -> CycleState:
        cycle = self._cycle(conn, cycle_id, lock=lock)
        group = _group(self._require(conn, t.groups, cycle.group_id, "group"))
        members = {
            r.id: _member(r)
            for r in conn.execute(select(t.members).where(t.members.c.group_id == group.id))
        }
        totals = self._totals(conn, cycle_id, None)
        member_shares = {
            mid: int(n)
            for mid, n in conn.execute(
                select(t.entries.c.member_id, func.sum(t.entries.c.shares))
                .where(t.entries.c.cycle_id == cycle_id, t.entries.c.member_id.is_not(None))
                .group_by(t.entries.c.member_id)
            )
            if n
        }
        loans = self._loan_states(conn, cycle_id)
        last, last_minutes = conn.execute(
            select(
                func.max(t.meetings.c.date),
                func.max(case((t.meetings.c.minutes_recorded, t.meetings.c.date))),
            ).where(t.meetings.c.cycle_id == cycle_id)
        ).one()
        return CycleState(
            group_label=f"group {group.code} ({group.name})",
            cycle=cycle,
            members=members,
            totals=totals,
            member_shares=member_shares,
            loans=loans,
            last_meeting_on=last,
            last_minutes_on=last_minutes,
        )

    def _loan_states(
        self, conn: Connection, cycle_id: int, loan_id: int | None = None
    ) -> dict[int, LoanState]:
        query = select(t.loans).where(t.loans.c.cycle_id == cycle_id)
        if loan_id is not None:
            query = query.where(t.loans.c.id == loan_id)
        loan_rows = list(conn.execute(query))
        if not loan_rows:
            return {}
        # A reversing entry takes effect on the date of the entry it reverses: the reversed
        # payment is treated as never made, so interest is computed as if it had not been.
        original = t.entries.alias("original")
        effective = func.coalesce(original.c.date, t.entries.c.date)
        moves: dict[int, dict[tuple[dt.date, EntryKind], int]] = defaultdict(dict)
        moves_query = (
            select(t.entries.c.loan_id, effective, t.entries.c.kind, func.sum(t.entries.c.amount))
            .select_from(t.entries.outerjoin(original, t.entries.c.reverses_id == original.c.id))
            .where(t.entries.c.cycle_id == cycle_id, t.entries.c.loan_id.is_not(None))
            .group_by(t.entries.c.loan_id, effective, t.entries.c.kind)
        )
        if loan_id is not None:
            moves_query = moves_query.where(t.entries.c.loan_id == loan_id)
        for lid, day, kind, amount in conn.execute(moves_query):
            moves[lid][(day, EntryKind(kind))] = int(amount)
        states: dict[int, LoanState] = {}
        for r in loan_rows:
            m = moves.get(r.id, {})
            disbursed = sum(v for (_, k), v in m.items() if k is EntryKind.LOAN_DISBURSEMENT)
            if disbursed == 0:
                continue  # a reversed disbursement: the loan never happened
            days = sorted({d for d, _ in m})
            payments = tuple(
                LoanPayment(
                    on=d,
                    principal=m.get((d, EntryKind.PRINCIPAL_REPAYMENT), 0),
                    interest=m.get((d, EntryKind.INTEREST_PAYMENT), 0),
                )
                for d in days
                if m.get((d, EntryKind.PRINCIPAL_REPAYMENT), 0)
                or m.get((d, EntryKind.INTEREST_PAYMENT), 0)
            )
            states[r.id] = LoanState(
                id=r.id,
                member_id=r.member_id,
                terms=self._terms(r),
                purpose=LoanPurpose(r.purpose),
                ref=r.ref,
                payments=payments,
                write_offs=tuple(
                    (d, v) for (d, k), v in sorted(m.items()) if k is EntryKind.WRITE_OFF and v
                ),
            )
        return states

    @staticmethod
    def _terms(r: Row[Any]) -> LoanTerms:
        return LoanTerms(
            principal=r.principal,
            interest_rate=Decimal(r.interest_rate),
            term_months=r.term_months,
            disbursed_on=r.disbursed_on,
            method=r.method,
            principal_schedule=r.principal_schedule,
            rounding=Rounding(r.rounding),
        )

    def _require(self, conn: Connection, table: Any, row_id: int, what: str) -> Row[Any]:
        row = conn.execute(select(table).where(table.c.id == row_id)).one_or_none()
        if row is None:
            raise NotFound(f"{what} #{row_id} does not exist")
        return row
