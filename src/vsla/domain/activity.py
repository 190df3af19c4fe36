"""Programme activity around the groups: referrals to formal finance, livelihood support and
Gender Action Learning (GAL) sessions (docs/indicators.md)."""

from __future__ import annotations

__all__ = [
    "GalSession",
    "GalTool",
    "Institution",
    "LivelihoodSupport",
    "NewGalSession",
    "NewLivelihoodSupport",
    "NewReferral",
    "Referral",
    "ReferralOutcome",
    "SupportKind",
]

import datetime as dt
from enum import StrEnum

from pydantic import Field, StrictInt, model_validator

from vsla.domain.base import Amount, Record
from vsla.domain.sync import ClientId


class Institution(StrEnum):
    """Formal financial institutions a member can be introduced to."""

    VBSP = "vbsp"  # Ngân hàng Chính sách xã hội: a linkage, not VSLA lending
    AGRIBANK = "agribank"
    COMMERCIAL_BANK = "commercial_bank"
    PEOPLES_CREDIT_FUND = "peoples_credit_fund"
    MICROFINANCE_INSTITUTION = "microfinance_institution"
    INSURER = "insurer"
    MOBILE_MONEY = "mobile_money"


class ReferralOutcome(StrEnum):
    """What came of a referral: pending, accessed (an account opened, a loan received,
    insurance bought) or declined."""

    PENDING = "pending"
    ACCESSED = "accessed"  # account opened, loan received, insurance bought
    DECLINED = "declined"


class NewReferral(Record):
    """A member introduced to a formal financial institution."""

    member_id: int
    institution: Institution
    service: str = Field(min_length=1, description="account, loan, insurance, mobile wallet, …")
    referred_on: dt.date
    outcome: ReferralOutcome = ReferralOutcome.PENDING
    outcome_on: dt.date | None = None
    note: str = ""
    client_id: ClientId | None = Field(None, description="the app's own id (docs/sync.md)")

    @model_validator(mode="after")
    def _outcome(self) -> NewReferral:
        if self.outcome is ReferralOutcome.PENDING and self.outcome_on is not None:
            raise ValueError("a pending referral has no outcome date")
        if self.outcome is not ReferralOutcome.PENDING and self.outcome_on is None:
            raise ValueError(f"outcome {self.outcome.value!r} needs its date (outcome_on)")
        if self.outcome_on is not None and self.outcome_on < self.referred_on:
            raise ValueError(
                f"outcome_on ({self.outcome_on}) is before referred_on ({self.referred_on})"
            )
        return self

    def accessed_by(self, on: dt.date) -> bool:
        """Whether the member had accessed the service on ``on``."""
        return (
            self.outcome is ReferralOutcome.ACCESSED
            and self.outcome_on is not None
            and self.outcome_on <= on
        )


class Referral(NewReferral):
    """A stored referral: a :class:`NewReferral` with its ``id``."""

    id: int


class SupportKind(StrEnum):
    """The kinds of livelihood support a member can receive: training, inputs, market
    linkage, technology 4.0, a grant, technical advice."""

    TRAINING = "training"
    INPUTS = "inputs"
    MARKET_LINKAGE = "market_linkage"
    TECHNOLOGY_4_0 = "technology_4_0"
    GRANT = "grant"
    TECHNICAL_ADVICE = "technical_advice"


class NewLivelihoodSupport(Record):
    """Support a member received to develop their livelihood."""

    member_id: int
    kind: SupportKind
    provider: str = ""
    received_on: dt.date
    value: Amount = Field(0, ge=0, description="Money value in minor units; 0 if none.")
    note: str = ""
    client_id: ClientId | None = Field(None, description="the app's own id (docs/sync.md)")


class LivelihoodSupport(NewLivelihoodSupport):
    """A stored livelihood support: a :class:`NewLivelihoodSupport` with its ``id``."""

    id: int


class GalTool(StrEnum):
    """Tools of the Gender Action Learning System."""

    VISION_JOURNEY = "vision_journey"
    GENDER_BALANCE_TREE = "gender_balance_tree"
    CHALLENGE_ACTION_TREE = "challenge_action_tree"
    EMPOWERMENT_LEADERSHIP_MAP = "empowerment_leadership_map"
    OTHER = "other"


class NewGalSession(Record):
    """One GAL session held with a pilot group."""

    group_id: int
    held_on: dt.date
    tool: GalTool
    women: StrictInt = Field(0, ge=0, description="women who took part")
    men: StrictInt = Field(0, ge=0, description="men who took part")
    reached_by_peer_sharing: StrictInt = Field(
        0, ge=0, description="people outside the group reached by members sharing the tool"
    )
    note: str = ""
    client_id: ClientId | None = Field(None, description="the app's own id (docs/sync.md)")


class GalSession(NewGalSession):
    """A stored GAL session: a :class:`NewGalSession` with its ``id``."""

    id: int
