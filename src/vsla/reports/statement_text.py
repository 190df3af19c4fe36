"""A loan statement as text, in Vietnamese or English: the loan block of a member's
statement (``vsla report statement``).

The loan is named as a person knows it: its borrower (name and member number) and the day
it was disbursed, never a database id. "Payable by today" is what the loan's schedule has
made payable by the statement's date and is still unpaid
(:attr:`~vsla.domain.loanbook.LoanPosition.payable_now`); what would clear the loan today is
shown beside it.
"""

from __future__ import annotations

__all__ = ["loan_statement_text"]

import datetime as dt
from typing import TYPE_CHECKING

from vsla.reports.printing.document import day_text
from vsla.words import Lang, money, percent, word

if TYPE_CHECKING:
    from vsla.store.loans import LoanStatement


def loan_statement_text(statement: LoanStatement, lang: Lang = Lang.EN) -> str:
    """The statement's loan, schedule, payments and position, in ``lang``."""
    lang = Lang(lang)
    terms, pos, member = statement.loan.terms, statement.position, statement.member

    def day(d: dt.date) -> str:
        return day_text(d, lang)

    rate = percent(terms.interest_rate, lang).removesuffix(" %")
    lines = [
        word(
            "loan_heading",
            lang,
            day=day(terms.disbursed_on),
            member=word("doc_member_label", lang, name=member.full_name, number=member.number),
        ),
        word(
            "loan_terms",
            lang,
            day=day(terms.disbursed_on),
            principal=money(terms.principal, lang),
            rate=rate,
            method=word(f"method_{terms.method.value}", lang),
            months=terms.term_months,
            due=day(pos.due_on),
            purpose=word(f"purpose_{statement.loan.purpose.value}", lang),
        ),
        word("loan_schedule", lang),
    ]
    lines += [
        word(
            "loan_instalment",
            lang,
            number=i.number,
            day=day(i.due_on),
            principal=money(i.principal, lang),
            interest=money(i.interest, lang),
        )
        for i in statement.schedule
    ]
    lines.append(word("loan_payments", lang))
    lines += [
        word(
            "loan_payment",
            lang,
            day=day(p.on),
            principal=money(p.principal, lang),
            interest=money(p.interest, lang),
        )
        for p in statement.payments
    ] or [word("loan_no_payments", lang)]
    lines.append(
        word(
            "loan_position",
            lang,
            day=day(pos.on),
            outstanding=money(pos.principal_outstanding, lang),
            charged=money(pos.interest_charged, lang),
            paid=money(pos.interest_paid, lang),
            due_now=money(pos.payable_now, lang),
            settle=money(pos.settlement_amount, lang),
        )
    )
    if pos.principal_written_off or pos.interest_written_off:
        lines.append(
            word(
                "loan_written_off",
                lang,
                principal=money(pos.principal_written_off, lang),
                interest=money(pos.interest_written_off, lang),
            )
        )
    if pos.settled:
        lines.append(word("loan_settled", lang))
    elif pos.is_overdue:
        lines.append(word("loan_overdue", lang, days=pos.days_overdue))
    else:
        lines.append(word("loan_not_overdue", lang))
        if pos.next_payment_on is not None:
            lines.append(word("loan_next", lang, day=day(pos.next_payment_on)))
    return "\n".join(lines)
