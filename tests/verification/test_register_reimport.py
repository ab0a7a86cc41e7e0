from __future__ import annotations

from collections.abc import Iterator

import pytest

from verification.reimport import (
    Action,
    Cause,
    Decision,
    MemberLicence,
    SuspiciousImport,
    UnsortedInput,
    diff_register,
    plan_reimport,
)


def member(member_id: int, licence: str, state: str, by_register: bool = False) -> MemberLicence:
    return MemberLicence(member_id, licence, state, by_register)


REGISTER = [("A1", True), ("B2", False), ("C3", True), ("C3", False), ("E5", True)]
MEMBERS = [
    member(1, "A1", "verified"),  # still active: nothing
    member(2, "B2", "verified"),  # deactivated
    member(3, "C3", "suspended", by_register=True),  # active again (one active row)
    member(4, "D4", "verified"),  # gone
    member(5, "E5", "suspended", by_register=False),  # suspended by an operator: stays
    member(6, "E5", "pending"),  # not verified yet: not our business
    member(7, "F6", "suspended", by_register=True),  # still gone: stays suspended
    member(8, "F6", "revoked"),
]


def test_decisions() -> None:
    assert list(diff_register(REGISTER, MEMBERS)) == [
        Decision(2, "B2", Action.SUSPEND, Cause.DEACTIVATED),
        Decision(3, "C3", Action.RESTORE, Cause.ACTIVE_AGAIN),
        Decision(4, "D4", Action.SUSPEND, Cause.GONE),
    ]


def test_streams_lazily_over_cursors() -> None:
    pulled: list[str] = []

    def register() -> Iterator[tuple[str, bool]]:
        for n in range(1_000_000):
            key = f"{n:07d}"
            pulled.append(key)
            yield key, n != 5

    decisions = diff_register(register(), [member(1, "0000005", "verified")])
    assert next(decisions) == Decision(1, "0000005", Action.SUSPEND, Cause.DEACTIVATED)
    assert len(pulled) < 10  # a merge join, not a set of the whole register


def test_empty_register_suspends_everyone_verified() -> None:
    decisions = list(diff_register([], [member(1, "A", "verified"), member(2, "B", "rejected")]))
    assert decisions == [Decision(1, "A", Action.SUSPEND, Cause.GONE)]


def test_unsorted_input_is_refused() -> None:
    with pytest.raises(UnsortedInput, match="register"):
        list(diff_register([("B", True), ("A", True)], [member(1, "C", "verified")]))
    with pytest.raises(UnsortedInput, match="members"):
        list(diff_register([("A", True)], [member(1, "B", "verified"), member(2, "A", "verified")]))


def test_plan_refuses_to_suspend_an_implausible_share() -> None:
    members = [member(n, f"{n:04d}", "verified") for n in range(100)]
    truncated = [(f"{n:04d}", True) for n in range(50)]
    with pytest.raises(SuspiciousImport, match="50 of 100 verified members"):
        plan_reimport(truncated, members)
    plan = plan_reimport(truncated, members, max_suspend_share=0.6)
    assert len(plan.suspend) == 50 and plan.verified_members == 100


def test_plan_allows_a_few_departures_on_a_small_node() -> None:
    plan = plan_reimport(REGISTER, MEMBERS)
    assert [d.member_id for d in plan.suspend] == [2, 4]
    assert [d.member_id for d in plan.restore] == [3]
    assert plan.verified_members == 3
