"""Rebuilding a programme export through the store's own operations, then checking the
rebuilt ledger entry by entry against the exported one."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from vsla.domain.activity import NewGalSession, NewLivelihoodSupport, NewReferral
from vsla.domain.constitution import Constitution
from vsla.domain.entities import (
    Attendance,
    ExitReason,
    NewGroup,
    NewMember,
    NewProgramme,
    OfficerRole,
    Targets,
)
from vsla.domain.ledger import EntryKind, LedgerEntry
from vsla.domain.meeting import (
    Expense,
    FinePaid,
    Income,
    LoanPurpose,
    LoanRequest,
    MeetingInput,
    Repayment,
    SocialFundGrant,
)
from vsla.domain.opening import OpeningPosition
from vsla.errors import ImportErrors, InvalidInput, RowError, VslaError
from vsla.io.importers.sheet import fold, model_field
from vsla.io.programme.parse import (
    _check_references,
    _key,
    _read_json,
    _read_xlsx,
    _Rec,
    _Tables,
)
from vsla.io.programme.tables import (
    _EVENT_TABLES,
    _REDACTED,
    TABLES,
    P,
    T,
)
from vsla.store.store import Store

_WRITE_OFF_KINDS = (EntryKind.WRITE_OFF.value, EntryKind.INTEREST_WRITE_OFF.value)


class _Failed(Exception):
    def __init__(
        self, rec: _Rec, column: str, message: str, rule: str | None = None, **facts: object
    ) -> None:
        super().__init__(message)
        self.rec, self.column, self.message = rec, column, message
        self.rule, self.facts = rule, facts


def _shape(e: LedgerEntry | _Rec) -> tuple[Any, ...]:
    if isinstance(e, LedgerEntry):
        return (e.date, e.kind.value, e.amount, e.shares)
    return (e["date"], e["kind"], e["amount"], e["shares"] or 0)


class _Rebuilder:
    """Replays the export into a store bound to one transaction."""

    def __init__(self, parsed: _Tables, store: Store) -> None:
        self.p = parsed
        self.s = store
        self.members: dict[str, int] = {}
        self.loans: dict[int, int] = {}
        self.entries: dict[int, int] = {}
        self.counts: dict[str, int] = defaultdict(int)
        recs = parsed.recs
        self.items: dict[int, list[_Rec]] = defaultdict(list)
        for rec in recs["meeting_items"]:
            self.items[rec["meeting_id"]].append(rec)
        self.attendance: dict[int, list[_Rec]] = defaultdict(list)
        for rec in recs["attendance"]:
            self.attendance[rec["meeting_id"]].append(rec)
        self.by_cycle: dict[str, dict[int, list[_Rec]]] = {
            t: defaultdict(list) for t in (*_EVENT_TABLES, "entries", "officers", "loans")
        }
        for t, by in self.by_cycle.items():
            for rec in recs[t]:
                by[rec["cycle_id"]].append(rec)

    def run(self) -> dict[str, int]:
        recs = self.p.recs
        programmes: dict[int, int] = {}
        existing = {fold(p.name): p for p in self.s.programmes()}
        for rec in recs["programmes"]:
            same = existing.get(fold(rec["name"] or ""))
            if same is not None:  # never a second programme of the same name
                raise _Failed(
                    rec,
                    "name",
                    f"programme {same.name!r} already exists (#{same.id}): an import never "
                    "makes a second programme of the same name; register its groups with "
                    "`vsla import groups`",
                    "programme_exists",
                    name=same.name,
                    programme_id=same.id,
                )
            targets = Targets(
                groups=rec["target_groups"] if rec["target_groups"] is not None else 91,
                gal_pilot_groups=rec["target_gal_pilot_groups"]
                if rec["target_gal_pilot_groups"] is not None
                else 55,
                referral_rate=Decimal(rec["target_referral_rate"] or "0.15"),
                livelihood_support_rate=Decimal(rec["target_livelihood_support_rate"] or "0.15"),
            )
            new = NewProgramme(
                name=rec["name"],
                currency=rec["currency"] or "VND",
                province=rec["province"] or "",
                period_start=rec["period_start"],
                period_end=rec["period_end"],
                targets=targets,
            )
            made = self._do(rec, self.s.add_programme, new)
            programmes[rec["id"]] = made.id
            existing[fold(made.name)] = made
        self.counts["programmes"] = len(programmes)
        groups: dict[int, int] = {}
        for rec in recs["groups"]:
            new_group = self._build(
                rec,
                NewGroup,
                code=rec["code"],
                name=rec["name"],
                programme_id=programmes.get(rec["programme_id"]),
                province=rec["province"] or "",
                district=rec["district"] or "",
                commune=rec["commune"] or "",
                village=rec["village"] or "",
                established_on=rec["established_on"],
                status=rec["status"] or "active",
                gal_pilot_since=rec["gal_pilot_since"],
            )
            groups[rec["id"]] = self._do(rec, self.s.add_group, new_group).id
        self.counts["groups"] = len(groups)
        leaving = {rec["member_id"] for rec in recs["exits"]}
        new_members = []
        ordered = sorted(
            recs["members"],
            key=lambda r: (r["group_id"], r["number"] is None, r["number"] or 0, r.row),
        )
        for rec in ordered:
            exits = rec["id"] in leaving
            new_members.append(
                self._build(
                    rec,
                    NewMember,
                    group_id=groups[rec["group_id"]],
                    full_name=rec["full_name"],
                    number=rec["number"],
                    sex=rec["sex"],
                    birth_year=rec["birth_year"],
                    ethnicity=rec["ethnicity"] or "",
                    phone=rec["phone"],
                    joined_on=rec["joined_on"],
                    left_on=None if exits else rec["left_on"],
                    exit_reason=None if exits else rec["exit_reason"],
                    gal_champion_since=rec["gal_champion_since"],
                )
            )
        first = ordered[0] if ordered else None
        created = self._do(first, self.s.add_members, new_members) if first else []
        for rec, member in zip(ordered, created, strict=True):
            self.members[rec["id"]] = member.id
        self.counts["members"] = len(created)
        cycles = sorted(recs["cycles"], key=lambda r: (r["group_id"], r["number"]))
        for rec in cycles:
            self.cycle(rec, groups[rec["group_id"]])
        referrals = [
            self._build(
                rec,
                NewReferral,
                member_id=self.members[rec["member_id"]],
                institution=rec["institution"],
                service=rec["service"],
                referred_on=rec["referred_on"],
                outcome=rec["outcome"] or "pending",
                outcome_on=rec["outcome_on"],
                note=rec["note"] or "",
            )
            for rec in recs["referrals"]
        ]
        if referrals:
            self._do(recs["referrals"][0], self.s.add_referrals, referrals)
        self.counts["referrals"] = len(referrals)
        supports = [
            self._build(
                rec,
                NewLivelihoodSupport,
                member_id=self.members[rec["member_id"]],
                kind=rec["kind"],
                provider=rec["provider"] or "",
                received_on=rec["received_on"],
                value=rec["value"] or 0,
                note=rec["note"] or "",
            )
            for rec in recs["livelihood_supports"]
        ]
        if supports:
            self._do(recs["livelihood_supports"][0], self.s.add_livelihood_supports, supports)
        self.counts["livelihood_supports"] = len(supports)
        for rec in recs["gal_sessions"]:
            session = self._build(
                rec,
                NewGalSession,
                group_id=groups[rec["group_id"]],
                held_on=rec["held_on"],
                tool=rec["tool"],
                women=rec["women"] or 0,
                men=rec["men"] or 0,
                reached_by_peer_sharing=rec["reached_by_peer_sharing"] or 0,
                note=rec["note"] or "",
            )
            self._do(rec, self.s.add_gal_session, session)
            self.counts["gal_sessions"] += 1
        return dict(self.counts)

    @staticmethod
    def _build(rec: _Rec, cls: Callable[..., Any], **values: Any) -> Any:
        try:
            return cls(**values)
        except (VslaError, ValueError) as exc:
            raise _Failed(rec, _column_of(rec, exc), str(exc)) from exc

    @staticmethod
    def _do(rec: _Rec, action: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return action(*args, **kwargs)
        except VslaError as exc:
            raise _Failed(rec, "", str(exc)) from exc

    def member(self, rec: _Rec, column: str = "member_id") -> int:
        key = rec[column]
        if key not in self.members:
            raise _Failed(rec, column, f"no member has the id {key}")
        return self.members[key]

    def loan(self, rec: _Rec, column: str = "loan_id") -> int:
        old = rec[column]
        if old not in self.loans:
            raise _Failed(rec, column, f"loan {old} is not disbursed before this row")
        return self.loans[old]

    def cycle(self, rec: _Rec, group_id: int) -> None:
        cid = rec["id"]
        constitution = self._build(rec, Constitution.model_validate, obj=rec["constitution"])
        officers: dict[int, list[OfficerRole]] = defaultdict(list)
        for o in self.by_cycle["officers"][cid]:
            officers[self.member(o)].append(self._build(o, OfficerRole, value=o["role"]))
        cycle = self._do(
            rec,
            self.s.start_cycle,
            group_id,
            start=rec["start_date"],
            end=rec["end_date"],
            constitution=constitution,
            officers=officers,
        )
        self.counts["cycles"] += 1
        self.counts["officers"] += sum(len(r) for r in officers.values())
        old = sorted(self.by_cycle["entries"][cid], key=lambda r: r["id"])
        done = 0
        last_id = 0

        def check(event: _Rec, produced: Sequence[LedgerEntry]) -> None:
            nonlocal done, last_id
            expected = old[done : done + len(produced)]
            if len(expected) != len(produced):
                raise _Failed(
                    event,
                    "",
                    f"rebuilding wrote {len(produced)} entries where the export has "
                    f"{len(expected)}",
                )
            for was, new in zip(expected, produced, strict=True):
                self.match(event, was, new)
            done += len(produced)
            last_id = max([last_id, *(e.id for e in produced)])
            self.counts["entries"] += len(produced)

        def tail() -> list[LedgerEntry]:
            return [e for e in self.s.entries(cycle.id) if e.id > last_id]

        check(rec, tail())  # the opening entries carried from the previous cycle
        reversed_ids: set[int] = set()
        events = sorted(
            (ev for t in _EVENT_TABLES for ev in self.by_cycle[t][cid] if ev["seq"] is not None),
            key=lambda ev: ev["seq"],
        )
        for ev in events:
            if ev.table == "meetings":
                meeting = self.meeting_input(ev)
                try:
                    record = self.s.record_meeting(cycle.id, meeting)
                except VslaError as exc:
                    raise _Failed(ev, "", str(exc)) from exc
                check(ev, record.entries)
                continue
            if ev.table == "reversals":
                old_id = ev["reverses_entry_id"]
                if old_id not in self.entries:
                    raise _Failed(ev, "reverses_entry_id", f"entry {old_id} is not rebuilt yet")
                if self.entries[old_id] in reversed_ids:
                    continue  # reversed with the entry of the row before (one correction)
                self._do(
                    ev,
                    self.s.reverse_entry,
                    self.entries[old_id],
                    on=ev["date"],
                    reason=ev["reason"] or _REDACTED,
                )
                produced = tail()
                reversed_ids.update(e.reverses_id for e in produced if e.reverses_id)
                check(ev, produced)
            elif ev.table == "write_offs":
                self._do(
                    ev,
                    self.s.write_off,
                    self.loan(ev),
                    on=ev["date"],
                    reason=ev["reason"] or _REDACTED,
                )
                check(ev, tail())
            elif ev.table == "openings":
                position = self.opening(ev)
                record = self._do(ev, self.s.record_opening, cycle.id, position)
                check(ev, record.entries)
            elif ev.table == "exits":
                reason = self._build(ev, ExitReason, value=ev["reason"] or "other")
                self._do(
                    ev, self.s.settle_member_exit, self.member(ev), on=ev["date"], reason=reason
                )
                check(ev, tail())
            else:
                self._do(ev, self.s.share_out, cycle.id, on=ev["date"])
                check(ev, tail())
        if done != len(old):
            raise _Failed(
                rec, "", f"{len(old) - done} exported entries of this cycle were not rebuilt"
            )
        self.check_cycle(rec, cycle.id)

    def check_cycle(self, rec: _Rec, cycle_id: int) -> None:
        meetings = self.s.meetings(cycle_id)
        exported = [m for m in self.p.recs["meetings"] if m["cycle_id"] == rec["id"]]
        if len(meetings) != len(exported):
            raise _Failed(
                rec, "", f"rebuilt {len(meetings)} meetings where the export has {len(exported)}"
            )
        self.counts["meetings"] += len(meetings)
        self.counts["attendance"] += sum(len(m.attendance) for m in meetings)
        new_loans = {loan.id: loan for loan in self.s.loans(cycle_id)}
        self.counts["loans"] += len(new_loans)
        for old in self.by_cycle["loans"][rec["id"]]:
            new = new_loans.get(self.loans.get(old["id"], -1))
            if new is None:
                raise _Failed(old, "id", "this loan was not rebuilt")
            t = new.terms
            got = (
                t.disbursed_on,
                t.principal,
                str(t.interest_rate),
                t.term_months,
                t.method.value,
                t.principal_schedule.value,
                t.rounding.value,
                new.purpose.value,
            )
            want = tuple(
                old[c]
                for c in (
                    "disbursed_on",
                    "principal",
                    "interest_rate",
                    "term_months",
                    "method",
                    "principal_schedule",
                    "rounding",
                    "purpose",
                )
            )
            if got != want:
                raise _Failed(old, "", f"the rebuilt loan differs: {got} instead of {want}")

    def match(self, event: _Rec, was: _Rec, new: LedgerEntry) -> None:
        problems = []
        if _shape(was) != _shape(new):
            problems.append(f"{_shape(new)} instead of {_shape(was)}")
        member = None if was["member_id"] is None else self.members.get(was["member_id"])
        if member != new.member_id:
            problems.append("another member")
        if was["loan_id"] is not None:
            if was["loan_id"] not in self.loans:
                self.loans[was["loan_id"]] = new.loan_id if new.loan_id is not None else -1
            if self.loans[was["loan_id"]] != new.loan_id:
                problems.append("another loan")
        elif new.loan_id is not None:
            problems.append("a loan where there was none")
        reverses = None if was["reverses_id"] is None else self.entries.get(was["reverses_id"])
        if reverses != new.reverses_id:
            problems.append("reverses another entry")
        if was["origin"] is not None and was["origin"] != new.origin.value:
            problems.append(f"origin {new.origin.value!r} instead of {was['origin']!r}")
        free_text = was["reverses_id"] is not None or was["kind"] in _WRITE_OFF_KINDS
        if not free_text and (was["memo"] or "") != new.memo:  # memo-check: a faithful copy
            problems.append(f"memo {new.memo!r} instead of {was['memo']!r}")
        if problems:
            raise _Failed(
                event,
                "",
                f"the rebuilt ledger differs from the export at entry {was['id']} "
                f"(entries row {was.row}): " + "; ".join(problems),
            )
        self.entries[was["id"]] = new.id

    def opening(self, ev: _Rec) -> OpeningPosition:
        """The opening position of an ``openings`` row, its members' ids made this
        database's."""
        data = ev["position"]
        if not isinstance(data, dict):
            raise _Failed(ev, "position", "an opening position is a JSON object")
        try:
            members = [
                {**m, "member_id": self.members[_key(m["member_id"])]}
                for m in data.get("members", [])
            ]
            loans = [
                {**loan, "member_id": self.members[_key(loan["member_id"])]}
                for loan in data.get("loans", [])
            ]
        except (KeyError, TypeError, ValueError) as exc:
            raise _Failed(
                ev, "position", f"a member of the position is not exported: {exc}"
            ) from exc
        position: OpeningPosition = self._build(
            ev,
            OpeningPosition.model_validate,
            obj={**data, "members": members, "loans": loans},
        )
        return position

    def meeting_input(self, ev: _Rec) -> MeetingInput:
        mid = ev["id"]
        attendance: dict[int, Attendance] = {}
        for a in self.attendance[mid]:
            attendance[self.member(a)] = self._build(a, Attendance, value=a["status"])
        values: dict[str, Any] = {
            "date": ev["date"],
            "attendance": attendance,
            "social_fund_contributions": {},
            "share_purchases": {},
            "fines": [],
            "other_income": [],
            "repayments": [],
            "social_fund_grants": [],
            "expenses": [],
            "loans": [],
        }
        for it in self.items[mid]:
            kind, amount, memo = it["item"], it["amount"], it["memo"] or ""
            if kind == "social_fund":
                values["social_fund_contributions"][self.member(it)] = amount
            elif kind == "shares":
                values["share_purchases"][self.member(it)] = it["shares"]
            elif kind == "fine":
                values["fines"].append(
                    self._build(
                        it, FinePaid, member_id=self.member(it), fine=it["fine"], amount=amount
                    )
                )
            elif kind == "income":
                values["other_income"].append(self._build(it, Income, amount=amount, memo=memo))
            elif kind == "expense":
                values["expenses"].append(self._build(it, Expense, amount=amount, memo=memo))
            elif kind == "grant":
                values["social_fund_grants"].append(
                    self._build(
                        it, SocialFundGrant, member_id=self.member(it), amount=amount, reason=memo
                    )
                )
            elif kind == "repayment":
                values["repayments"].append(
                    self._build(it, Repayment, loan_id=self.loan(it), amount=amount)
                )
            elif kind == "loan":
                values["loans"].append(
                    self._build(
                        it,
                        LoanRequest,
                        member_id=self.member(it),
                        principal=amount,
                        term_months=it["term_months"],
                        purpose=it["purpose"] or LoanPurpose.OTHER.value,
                    )
                )
            else:
                raise _Failed(it, "item", f"unknown item {kind!r}")
        meeting: MeetingInput = self._build(ev, MeetingInput, **values)
        return meeting


def _column_of(rec: _Rec, exc: Exception) -> str:
    """The column of ``rec`` a model's refusal is about, when its first problem names a
    field the row holds (``principal`` is a loan item's ``amount``); else ``""``."""
    columns = TABLES[rec.table]
    if rec.table == "meeting_items" and model_field(exc, ["principal"]):
        return "amount"
    return model_field(exc, columns)


def import_programme(store: Store, path: Path) -> tuple[int, dict[str, int]]:
    """Rebuild a programme export into ``store``, all or nothing; the rows read and the
    records created per table."""
    suffix = path.suffix.casefold()
    if suffix == ".json":
        parsed, _ = _read_json(path)
    elif suffix == ".xlsx":
        parsed, _ = _read_xlsx(path)
    else:
        raise InvalidInput(f"{path.name}: a programme export is a .json or .xlsx file")
    if not parsed.errors:
        _check_references(parsed, store)
    if parsed.errors:
        raise ImportErrors(parsed.errors)
    try:
        with store.transaction():
            counts = _Rebuilder(parsed, store).run()
    except _Failed as failed:
        source = parsed.source(failed.rec.table)
        raise ImportErrors(
            [
                RowError(
                    source,
                    failed.rec.row,
                    failed.column,
                    failed.message,
                    failed.rule,
                    failed.facts,
                )
            ]
        ) from None
    order = [t for t in TABLES if t in counts] + [t for t in counts if t not in TABLES]
    return parsed.rows_read, {t: counts[t] for t in order}
