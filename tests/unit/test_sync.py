"""Client ids, without a database: contents compared field by field, and the conflict."""

from __future__ import annotations

import datetime as dt

import pytest

import vsla
from vsla.domain.sync import RecordKind, check_resend, content, differences
from vsla.errors import FieldDifference


def test_the_same_content_passes_and_keys_read_back_as_text() -> None:
    meeting = vsla.MeetingInput(
        date=dt.date(2024, 1, 8), share_purchases={3: 2}, client_id="phone-1/m1"
    )
    stored = content(meeting)
    assert stored["share_purchases"] == {"3": 2}  # as a JSON column gives it back
    check_resend(RecordKind.MEETING, "phone-1/m1", "meeting #1", stored, content(meeting))


def test_every_differing_field_is_named_with_both_values() -> None:
    stored = content(
        vsla.MeetingInput(
            date=dt.date(2024, 1, 8),
            share_purchases={3: 2, 4: 1},
            loans=[vsla.LoanRequest(member_id=3, principal=50_000, term_months=2)],
            client_id="m1",
        )
    )
    given = content(
        vsla.MeetingInput(
            date=dt.date(2024, 1, 8),
            share_purchases={3: 4, 4: 1},
            loans=[
                vsla.LoanRequest(member_id=3, principal=60_000, term_months=2),
                vsla.LoanRequest(member_id=4, principal=10_000, term_months=1),
            ],
            client_id="m1",
        )
    )
    found = differences(stored, given)
    assert [d.field for d in found] == ["loans[0].principal", "loans[1]", "share_purchases.3"]
    assert found[0] == FieldDifference("loans[0].principal", 50_000, 60_000)
    assert found[1].stored is None
    with pytest.raises(vsla.SyncConflict) as refused:
        check_resend(RecordKind.MEETING, "m1", "the meeting #7", stored, given, record_id=7)
    error = refused.value
    assert error.kind == "meeting"
    assert error.client_id == "m1"
    assert error.record_id == 7
    assert error.rule == "client_id_one_record"
    assert error.field == "loans[0].principal"
    assert error.differences == tuple(found)
    assert str(error).startswith(
        "meeting client id 'm1' already names the meeting #7, sent with other content: "
        "loans[0].principal: stored 50000, given 60000; loans[1]: stored None, given {"
    )
    assert isinstance(error, vsla.InvalidInput)


def test_a_client_id_is_1_to_64_characters() -> None:
    vsla.NewMember(
        group_id=1, full_name="Y Hoa", sex="F", joined_on=dt.date(2024, 1, 8), client_id="x" * 64
    )
    for bad in ("", "x" * 65):
        with pytest.raises(vsla.InvalidInput, match="client_id"):
            vsla.NewMember(
                group_id=1, full_name="Y Hoa", sex="F", joined_on=dt.date(2024, 1, 8), client_id=bad
            )


def test_a_loan_ref_is_its_client_id() -> None:
    by_ref = vsla.LoanRequest(member_id=1, principal=1_000, term_months=1, ref="L1")
    by_id = vsla.LoanRequest(member_id=1, principal=1_000, term_months=1, client_id="L1")
    assert by_ref == by_id
    assert (by_ref.ref, by_ref.client_id) == ("L1", "L1")
    with pytest.raises(vsla.InvalidInput, match="another name for client_id"):
        vsla.LoanRequest(member_id=1, principal=1_000, term_months=1, ref="L1", client_id="L2")
