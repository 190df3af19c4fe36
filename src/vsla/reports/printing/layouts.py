"""The layouts of the printed documents: a passbook, a meeting's minutes, a share-out sheet
(each a :class:`~vsla.reports.printing.document.Document`, in Vietnamese or English).

Figures come from :mod:`vsla.domain.passbook`, :mod:`vsla.domain.minutes` and
:mod:`vsla.domain.shareout`; this module only chooses the words, the columns and the order.
A money cell that is zero is left blank in a column of flows (what happened at a meeting),
so what a member did stands out; a running total (shares, savings, loan balance) always
shows its figure.
"""

from __future__ import annotations

__all__ = ["minutes_document", "passbook_document", "share_out_document"]

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal

from vsla.domain.entities import Attendance, Cycle, Member, OfficerRole
from vsla.domain.ledger import EntryKind
from vsla.domain.minutes import Minutes
from vsla.domain.passbook import Passbook
from vsla.domain.shareout import ShareOutResult
from vsla.reports.printing.document import Column, Document, Section, Signature, day_text
from vsla.words import Lang, count, money, percent, word

Officers = Mapping[OfficerRole, Sequence[str]]
"""The names of a cycle's officers by role (for the signature spaces)."""


def _flow(amount: int, lang: Lang) -> str:
    return "" if amount == 0 else money(amount, lang)


def _flow_count(n: int, lang: Lang) -> str:
    return "" if n == 0 else count(n, lang)


def _attendance(status: Attendance | None, lang: Lang) -> str:
    return word("att_none" if status is None else f"att_{status.value}", lang)


def member_label(member: Member, lang: Lang) -> str:
    """``Y Hương (số 3)`` / ``Y Hương (no. 3)``: a member as a person reads them."""
    return word("doc_member_label", lang, name=member.full_name, number=member.number)


def _cycle_heading(group_code: str, group_name: str, cycle: Cycle, lang: Lang) -> list[str]:
    rules = cycle.constitution
    return [
        f"{word('doc_group', lang)} {group_code}: {group_name}",
        word(
            "doc_cycle_dates",
            lang,
            number=cycle.number,
            start=day_text(cycle.start_date, lang),
            end=day_text(cycle.end_date, lang),
        )
        + f" · {word('doc_share_value', lang)} {money(rules.share_value, lang)}"
        + f" · {word('doc_social_contribution', lang)} "
        + money(rules.social_fund_contribution, lang),
    ]


def _names(officers: Officers | None, role: OfficerRole) -> list[str]:
    return list(officers.get(role, ())) if officers else []


def _officer_signatures(officers: Officers | None, lang: Lang) -> tuple[Signature, ...]:
    chair = _names(officers, OfficerRole.CHAIR)
    secretary = _names(officers, OfficerRole.SECRETARY)
    keeper = _names(officers, OfficerRole.BOX_KEEPER)
    counters = [*_names(officers, OfficerRole.MONEY_COUNTER), "", ""]
    return (
        Signature(word("sign_chair", lang), chair[0] if chair else ""),
        Signature(word("sign_secretary", lang), secretary[0] if secretary else ""),
        Signature(word("sign_box_keeper", lang), keeper[0] if keeper else ""),
        Signature(word("sign_money_counter", lang), counters[0]),
        Signature(word("sign_money_counter", lang), counters[1]),
    )


# ------------------------------------------------------------------------------ passbook


def passbook_document(book: Passbook, lang: Lang, officers: Officers | None = None) -> Document:
    """One member's passbook: a line per meeting, the totals, then the share-out or exit."""
    member = book.member
    columns = (
        Column(word("col_meeting", lang), weight=0.5),
        Column(word("col_date", lang), number=False, weight=1.1),
        Column(word("col_attendance", lang), number=False, weight=1.1),
        Column(word("col_shares_bought", lang), weight=0.7),
        Column(word("col_shares", lang), weight=0.7),
        Column(word("col_savings", lang)),
        Column(word("col_social_fund", lang)),
        Column(word("col_fines", lang)),
        Column(word("col_loan", lang)),
        Column(word("col_interest", lang)),
        Column(word("col_principal", lang)),
        Column(word("col_written_off", lang)),
        Column(word("col_balance", lang)),
    )
    rows: list[tuple[str, ...]] = []
    for line in book.lines:
        mark = " *" if line.corrections else ""
        rows.append(
            (
                str(line.meeting_number),
                day_text(line.date, lang) + mark,
                _attendance(line.attendance, lang),
                _flow_count(line.shares_bought, lang),
                count(line.shares, lang),
                money(line.savings, lang),
                _flow(line.social_fund, lang),
                _flow(line.fines, lang),
                _flow(line.loan_disbursed, lang),
                _flow(line.interest_paid, lang),
                _flow(line.principal_repaid, lang),
                _flow(line.written_off, lang),
                money(line.loan_balance, lang),
            )
        )
    last = book.lines[-1] if book.lines else None
    t = book.totals()
    if last is not None:
        rows.append(
            (
                "",
                word("doc_total", lang),
                "",
                count(t["shares_bought"], lang),
                count(last.shares, lang),
                money(last.savings, lang),
                money(t["social_fund"], lang),
                money(t["fines"], lang),
                money(t["loan_disbursed"], lang),
                money(t["interest_paid"], lang),
                money(t["principal_repaid"], lang),
                money(t["written_off"], lang),
                money(last.loan_balance, lang),
            )
        )
    paragraphs: list[str] = []
    if not book.lines:
        paragraphs.append(word("passbook_no_lines", lang))
    if any(line.corrections for line in book.lines):
        paragraphs.append(word("correction_mark", lang))
    s = book.settlement
    if s is None:
        paragraphs.append(word("passbook_open", lang))
    else:
        values = {
            "day": day_text(s.date, lang),
            "shares": count(s.shares, lang),
            "savings": money(s.savings, lang),
            "payout": money(s.payout, lang),
            "netted": money(s.netted, lang),
            "cash": money(s.cash_paid, lang),
        }
        if s.exit:
            paragraphs.append(word("passbook_exit", lang, **values))
        else:
            paragraphs.append(
                word("passbook_share_out", lang, profit=money(s.profit, lang), **values)
            )
    secretary = _names(officers, OfficerRole.SECRETARY)
    return Document(
        title=f"{word('passbook_title', lang)} — {member_label(member, lang)}",
        heading=tuple(_cycle_heading(book.group_code, book.group_name, book.cycle, lang)),
        sections=(
            Section(columns=columns, rows=tuple(rows), total=last is not None),
            Section(paragraphs=tuple(paragraphs)),
        ),
        signatures=(
            Signature(word("sign_member", lang), member.full_name),
            Signature(word("sign_secretary", lang), secretary[0] if secretary else ""),
        ),
        lang=lang,
    )


# ------------------------------------------------------------------------------ minutes

_GROUP_KINDS = {
    EntryKind.OPENING_LOAN_FUND: "kind_opening_loan_fund",
    EntryKind.OPENING_SOCIAL_FUND: "kind_opening_social_fund",
    EntryKind.OTHER_INCOME: "kind_other_income",
    EntryKind.EXPENSE: "kind_expense",
    EntryKind.TRANSFER_TO_SOCIAL_FUND: "kind_transfer_to_social_fund",
}

# (column word, MemberActivity attribute, shown even when every row is zero)
_MINUTES_COLUMNS = (
    ("col_shares_bought", "shares_bought", True),
    ("col_share_money", "share_money", True),
    ("col_social_fund", "social_fund", True),
    ("col_fines", "fines", False),
    ("col_interest", "interest_paid", False),
    ("col_principal", "principal_repaid", False),
    ("col_loan", "loan_disbursed", False),
    ("col_grant", "grant", False),
    ("col_written_off", "written_off", False),
    ("col_payout", "payout", False),
)


def minutes_document(minutes: Minutes, lang: Lang, officers: Officers | None = None) -> Document:
    """The minutes of one meeting: attendance, each member's transactions, the group's own
    entries, both boxes before and after, the loans made, and the officers' signatures.

    A money column that is zero for every member (no fines, no loans) is left out."""
    totals = minutes.totals()
    shown = [(key, attr) for key, attr, always in _MINUTES_COLUMNS if always or totals[attr]]
    columns = (
        Column(word("doc_member_no", lang), weight=0.5),
        Column(word("doc_name", lang), number=False, weight=2.2),
        Column(word("col_attendance", lang), number=False, weight=1.1),
        *(
            Column(word(key, lang), weight=0.7 if attr == "shares_bought" else 1)
            for key, attr in shown
        ),
    )
    rows: list[tuple[str, ...]] = []
    for a in minutes.activity:
        cells = [
            _flow_count(getattr(a, attr), lang)
            if attr == "shares_bought"
            else _flow(getattr(a, attr), lang)
            for _, attr in shown
        ]
        name = a.member.full_name + (" *" if a.corrections else "")
        rows.append((str(a.member.number), name, _attendance(a.attendance, lang), *cells))
    rows.append(
        (
            "",
            word("doc_total", lang),
            "",
            *(
                count(totals[attr], lang) if attr == "shares_bought" else money(totals[attr], lang)
                for _, attr in shown
            ),
        )
    )
    sections = [
        Section(
            title=word("minutes_transactions", lang),
            columns=columns,
            rows=tuple(rows),
            total=True,
            paragraphs=(word("correction_mark", lang),)
            if any(a.corrections for a in minutes.activity)
            else (),
        )
    ]
    if minutes.group_entries:
        sections.append(
            Section(
                title=word("minutes_group_entries", lang),
                columns=(
                    Column(word("col_entry", lang), number=False, weight=2),
                    Column(word("col_amount", lang)),
                    Column(word("col_note", lang), number=False, weight=2),
                ),
                rows=tuple(
                    (
                        word(_GROUP_KINDS.get(e.kind, "kind_other"), lang),
                        money(e.amount, lang),
                        e.memo,
                    )
                    for e in minutes.group_entries
                ),
            )
        )
    before, after = minutes.before, minutes.after
    boxes = (
        ("box_loan_fund", before.loan_fund_cash, after.loan_fund_cash),
        ("box_social_fund", before.social_fund_cash, after.social_fund_cash),
        ("box_loans_outstanding", before.loans_outstanding, after.loans_outstanding),
    )
    sections.append(
        Section(
            title=word("minutes_boxes", lang),
            columns=(
                Column(word("minutes_box", lang), number=False, weight=2),
                Column(word("minutes_before", lang)),
                Column(word("minutes_after", lang)),
                Column(word("minutes_change", lang)),
            ),
            rows=tuple(
                (word(key, lang), money(x, lang), money(y, lang), money(y - x, lang))
                for key, x, y in boxes
            ),
        )
    )
    upfront = any(loan.upfront_interest for loan in minutes.loans)
    loan_rows = tuple(
        (
            str(loan.member.number),
            loan.member.full_name,
            money(loan.terms.principal, lang),
            percent(loan.terms.interest_rate, lang),
            str(loan.terms.term_months),
            day_text(loan.due_on, lang),
            *((money(loan.upfront_interest, lang),) if upfront else ()),
        )
        for loan in minutes.loans
    )
    sections.append(
        Section(
            title=word("minutes_loans", lang),
            columns=(
                Column(word("doc_member_no", lang), weight=0.5),
                Column(word("doc_name", lang), number=False, weight=2.2),
                Column(word("col_principal_lent", lang)),
                Column(word("col_rate", lang)),
                Column(word("col_term", lang)),
                Column(word("col_due", lang), number=False),
                *((Column(word("col_upfront", lang)),) if upfront else ()),
            )
            if loan_rows
            else (),
            rows=loan_rows,
            paragraphs=() if loan_rows else (word("minutes_no_loans", lang),),
        )
    )
    heading = [
        *_cycle_heading(minutes.group_code, minutes.group_name, minutes.cycle, lang),
        word(
            "minutes_meeting",
            lang,
            number=minutes.meeting_number,
            day=day_text(minutes.date, lang),
        ),
        word(
            "minutes_attendance",
            lang,
            present=minutes.present,
            represented=minutes.represented,
            absent=minutes.absent,
        ),
    ]
    return Document(
        title=word("minutes_title", lang),
        heading=tuple(heading),
        sections=tuple(sections),
        signatures=_officer_signatures(officers, lang),
        landscape=len(shown) > 7,  # portrait fits a group of 30 and the signatures
        lang=lang,
    )


# ------------------------------------------------------------------------------ share-out


def share_out_document(
    result: ShareOutResult[int],
    members: Mapping[int, Member],
    *,
    group_code: str,
    group_name: str,
    cycle: Cycle,
    lang: Lang,
    on: dt.date,
    officers: Officers | None = None,
) -> Document:
    """The share-out sheet: a line per member with a space to sign for the cash, the
    totals, and how the value of a share was found. ``on`` is the share-out's date (or
    the preview's, for a cycle not yet shared out)."""
    netting = any(line.owed for line in result.lines)
    columns = [
        Column(word("doc_member_no", lang), weight=0.5),
        Column(word("doc_name", lang), number=False, weight=2.2),
        Column(word("col_shares", lang), weight=0.7),
        Column(word("col_savings", lang)),
        Column(word("col_payout", lang)),
        Column(word("col_profit", lang)),
        Column(word("col_return", lang), weight=0.7),
    ]
    if netting:
        columns += [Column(word("col_owed", lang)), Column(word("col_cash_paid", lang))]
    columns.append(Column(word("col_signature", lang), number=False, weight=1.6))

    def pct(profit: int, savings: int) -> str:
        return percent(Decimal(profit) / Decimal(savings) if savings else None, lang)

    rows: list[tuple[str, ...]] = []
    ordered = sorted(result.lines, key=lambda line: members[line.member].number)
    for line in ordered:
        m = members[line.member]
        cells = [
            str(m.number),
            m.full_name,
            count(line.shares, lang),
            money(line.savings, lang),
            money(line.payout, lang),
            money(line.profit, lang),
            pct(line.profit, line.savings),
        ]
        if netting:
            cells += [money(line.owed, lang), money(line.cash_paid, lang)]
        rows.append((*cells, ""))
    total = [
        "",
        word("doc_total", lang),
        count(result.total_shares, lang),
        money(result.total_savings, lang),
        money(result.total_payout, lang),
        money(result.total_profit, lang),
        pct(result.total_profit, result.total_savings),
    ]
    if netting:
        total += [money(result.total_owed, lang), money(result.total_cash_paid, lang)]
    rows.append((*total, ""))
    exact = result.value_per_share_exact
    exact_text = str(exact.numerator) if exact.denominator == 1 else str(exact)
    vps = f"{result.value_per_share:,.2f}"
    if lang is Lang.VI:
        vps = vps.replace(",", "\0").replace(".", ",").replace("\0", ".")
    paragraphs = [
        f"{word('shareout_distributable', lang)}: {money(result.distributable, lang)}",
        f"{word('shareout_value_per_share', lang)}: {vps} = {money(result.distributable, lang)}"
        f" / {count(result.total_shares, lang)} ({exact_text})",
        f"{word('shareout_remainder', lang)}: {money(result.remainder, lang)}",
    ]
    if result.cash_step > 1:
        paragraphs.append(f"{word('shareout_cash_step', lang)} {money(result.cash_step, lang)}")
    when = word(
        "shareout_recorded" if cycle.shared_out_on is not None else "shareout_preview",
        lang,
        day=day_text(on, lang),
    )
    return Document(
        title=word("shareout_title", lang),
        heading=(*_cycle_heading(group_code, group_name, cycle, lang), when),
        sections=(
            Section(columns=tuple(columns), rows=tuple(rows), total=True, tall=True),
            Section(paragraphs=tuple(paragraphs)),
        ),
        signatures=_officer_signatures(officers, lang),
        landscape=netting,
        lang=lang,
    )
