"""What a fresh register import means for members who are already verified.

After a complete import the node compares the register with its members:

- a verified member whose licence is gone from the register, or listed inactive,
  is suspended (cause GONE or DEACTIVATED);
- a member suspended *by a register import* whose licence is listed active again
  is restored to verified. Members suspended by an operator are never restored
  here.

Both inputs are iterables sorted by licence id, so the node can stream two
ordered queries (``ORDER BY licence_id COLLATE "C"``: byte order, which is
Python's string order for the normalised ASCII ids) and the comparison is a merge
join in constant memory, even against the 8 million NPPES entries. Input that is
out of order raises `UnsortedInput` instead of silently suspending people.

Run it only after an import that read the whole file: a truncated file would make
most members look gone. `plan_reimport` also refuses a plan that would suspend an
implausible share of verified members.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

from verification.workflow import VerificationGraph

VERIFIED = VerificationGraph.verified.name
SUSPENDED = VerificationGraph.suspended.name


class RegisterStatus(NamedTuple):
    licence_id: str  # normalised, as stored
    active: bool


class MemberLicence(NamedTuple):
    member_id: int | str
    licence_id: str  # normalised, as stored
    state: str  # a VerificationGraph state name
    suspended_by_register: bool  # why a suspended member is suspended


class Action(StrEnum):
    SUSPEND = "suspend"
    RESTORE = "restore"


class Cause(StrEnum):
    GONE = "gone"  # the licence is no longer in the register
    DEACTIVATED = "deactivated"  # listed, but not active
    ACTIVE_AGAIN = "active_again"


class Decision(NamedTuple):
    member_id: int | str
    licence_id: str
    action: Action
    cause: Cause


class UnsortedInput(ValueError):
    """An input was not in ascending licence id order."""


class SuspiciousImport(ValueError):
    """The plan would suspend more verified members than an import plausibly should."""


@dataclass(slots=True)
class _Counts:
    verified: int = 0


def diff_register(
    register: Iterable[tuple[str, bool]], members: Iterable[MemberLicence]
) -> Iterator[Decision]:
    """Yield what to do with each member whose status the register changes.

    `register` gives (licence_id, active) for every entry of the new import; when
    an id appears more than once it counts as active if any row is active.
    `members` gives the node's members with a licence, in any state (only verified
    and register-suspended ones can be affected). Both sorted by licence_id.
    """
    return _diff(register, members, _Counts())


def _diff(
    register: Iterable[tuple[str, bool]], members: Iterable[MemberLicence], counts: _Counts
) -> Iterator[Decision]:
    entries = _grouped(register)
    current = next(entries, None)
    previous_member = ""
    for member in members:
        key = member.licence_id
        if key < previous_member:
            raise UnsortedInput(f"members: {key!r} came after {previous_member!r}")
        previous_member = key
        while current is not None and current[0] < key:
            current = next(entries, None)
        listed = current is not None and current[0] == key
        active = listed and current is not None and current[1]
        if member.state == VERIFIED:
            counts.verified += 1
            if not listed:
                yield Decision(member.member_id, key, Action.SUSPEND, Cause.GONE)
            elif not active:
                yield Decision(member.member_id, key, Action.SUSPEND, Cause.DEACTIVATED)
        elif member.state == SUSPENDED and member.suspended_by_register and active:
            yield Decision(member.member_id, key, Action.RESTORE, Cause.ACTIVE_AGAIN)


def _grouped(register: Iterable[tuple[str, bool]]) -> Iterator[tuple[str, bool]]:
    """Collapse repeated ids into one (id, any active), checking the order."""
    iterator = iter(register)
    first = next(iterator, None)
    if first is None:
        return
    key, active = first[0], bool(first[1])
    for licence_id, row_active in iterator:
        if licence_id == key:
            active = active or bool(row_active)
            continue
        if licence_id < key:
            raise UnsortedInput(f"register: {licence_id!r} came after {key!r}")
        yield key, active
        key, active = licence_id, bool(row_active)
    yield key, active


@dataclass(slots=True)
class ReimportPlan:
    suspend: list[Decision] = field(default_factory=list)
    restore: list[Decision] = field(default_factory=list)
    verified_members: int = 0  # verified before this import

    @property
    def suspend_share(self) -> float:
        return len(self.suspend) / self.verified_members if self.verified_members else 0.0


def plan_reimport(
    register: Iterable[tuple[str, bool]],
    members: Iterable[MemberLicence],
    *,
    max_suspend_share: float = 0.05,
    always_allowed: int = 10,
) -> ReimportPlan:
    """Collect the decisions, refusing a plan that suspends too many members.

    A register loses a few percent of its physicians a year; losing more in one
    import usually means a truncated or wrong file. Up to `always_allowed`
    suspensions pass regardless, so small nodes are not blocked by one departure.
    An operator who knows better raises the limit or calls `diff_register`.
    """
    counts = _Counts()
    plan = ReimportPlan()
    for decision in _diff(register, members, counts):
        (plan.suspend if decision.action is Action.SUSPEND else plan.restore).append(decision)
    plan.verified_members = counts.verified
    if len(plan.suspend) > always_allowed and plan.suspend_share > max_suspend_share:
        raise SuspiciousImport(
            f"the import would suspend {len(plan.suspend)} of {counts.verified} verified "
            f"members ({plan.suspend_share:.0%}, limit {max_suspend_share:.0%}); "
            "check that the file is complete"
        )
    return plan
