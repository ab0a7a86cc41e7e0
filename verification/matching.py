"""Does a member's licence claim match the register entry for that number?

A claim matches when the licence number is the entry's (after `normalise_licence_id`),
the names agree (rules below), and the licence is active. The name check is a
guard against typos in the number and against claiming a colleague's number; the
number is the key. Names are compared as `names.tokens`:

- family names agree when, ignoring particles ("de", "van der", "d'"), one is made
  of some of the other's words ("García" ~ "García Márquez", "Smith" ~
  "Smith-Jones"), or when both are the same letters run together ("Vanderberg" ~
  "van der Berg", "OBrien" ~ "O'Brien");
- given names agree when the shorter list is found in the longer one, in any order,
  with initials standing for names that start with that letter ("John A" ~ "John
  Andrew Lee"), and at least one whole given name is shared; run-together also
  counts ("Jeanpierre" ~ "Jean-Pierre");
- a claim with family and given names in each other's fields still matches, and a
  side with everything in one field is tried at each split point.

When several reasons apply, the number comes first, then the names, then activity:
someone who is not the licensee learns nothing about the licence's status.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from verification.names import Token, joined, tokens, without_particles
from verification.registers.base import RegisterEntry

_LICENCE_NOISE = re.compile(r"[\s\-./]+")

Name = tuple[Token, ...]


class MatchReason(StrEnum):
    MATCHED = "matched"
    NUMBER_UNKNOWN = "number_unknown"
    FAMILY_NAME_DIFFERS = "family_name_differs"
    GIVEN_NAMES_DIFFER = "given_names_differ"
    LICENCE_INACTIVE = "licence_inactive"


@dataclass(frozen=True, slots=True)
class Claim:
    """What a member typed: the licence number and their names."""

    licence_id: str
    family_name: str
    given_names: str


@dataclass(frozen=True, slots=True)
class MatchResult:
    reason: MatchReason
    detail: str  # for the operator's review queue; may name the register's spelling
    swapped: bool = False  # the claim had family and given names in each other's fields

    @property
    def matched(self) -> bool:
        return self.reason is MatchReason.MATCHED

    def __bool__(self) -> bool:
        return self.matched


def normalise_licence_id(licence_id: str) -> str:
    """The form licence numbers are stored and compared in.

    Spaces, hyphens, dots and slashes are typing noise ("10 0010 45367", "A-12345");
    letters are upper-cased. Leading zeros are kept: some registers' numbers are
    fixed-width and "0123" and "123" are different licences there.
    """
    return _LICENCE_NOISE.sub("", licence_id).upper()


def match_claim(claim: Claim, entry: RegisterEntry | None) -> MatchResult:
    """Decide whether `claim` matches `entry`, the register's row for its number.

    The caller looks the entry up by `normalise_licence_id(claim.licence_id)` and
    passes None when there is none.
    """
    wanted = normalise_licence_id(claim.licence_id)
    if entry is None or normalise_licence_id(entry.licence_id) != wanted:
        return MatchResult(MatchReason.NUMBER_UNKNOWN, f"no register entry for licence {wanted}")
    reason, swapped = _compare_names(claim, entry)
    if reason is not MatchReason.MATCHED:
        detail = (
            f"register has {entry.family_name!r}, {entry.given_names!r}; "
            f"claim has {claim.family_name!r}, {claim.given_names!r}"
        )
        return MatchResult(reason, detail)
    if not entry.active:
        return MatchResult(
            MatchReason.LICENCE_INACTIVE, f"licence {wanted} is not active in the register"
        )
    detail = "names and number match" + (" (names entered in swapped fields)" if swapped else "")
    return MatchResult(MatchReason.MATCHED, detail, swapped)


def _compare_names(claim: Claim, entry: RegisterEntry) -> tuple[MatchReason, bool]:
    claim_family, claim_given = tokens(claim.family_name), tokens(claim.given_names)
    entry_family, entry_given = tokens(entry.family_name), tokens(entry.given_names)
    if family_names_agree(claim_family, entry_family):
        if given_names_agree(claim_given, entry_given):
            return MatchReason.MATCHED, False
        first_failure = MatchReason.GIVEN_NAMES_DIFFER
    else:
        first_failure = MatchReason.FAMILY_NAME_DIFFERS
    if family_names_agree(claim_given, entry_family) and given_names_agree(
        claim_family, entry_given
    ):
        return MatchReason.MATCHED, True
    if _any_split_agrees(claim_family + claim_given, entry_family, entry_given) or (
        _any_split_agrees(entry_family + entry_given, claim_family, claim_given)
    ):
        return MatchReason.MATCHED, False
    return first_failure, False


def _any_split_agrees(whole: Name, family: Name, given: Name) -> bool:
    """Whether `whole`, cut once into family and given (either order), agrees.

    For a side that put the whole name in one field, or a register whose single
    name column was split in the wrong place. Names have a handful of words, so
    trying every cut is cheap.
    """
    if not family or not given or len(whole) < 2:
        return False
    for cut in range(1, len(whole)):
        head, tail = whole[:cut], whole[cut:]
        for whole_family, whole_given in ((head, tail), (tail, head)):
            if family_names_agree(whole_family, family) and given_names_agree(whole_given, given):
                return True
    return False


def family_names_agree(a: Name, b: Name) -> bool:
    if not a or not b:
        return False
    if joined(a).same(joined(b)):
        return True
    core_a, core_b = without_particles(a), without_particles(b)
    if joined(core_a).same(joined(core_b)):
        return True
    shorter, longer = sorted((core_a, core_b), key=len)
    return all(any(t.same(u) for u in longer) for t in shorter)


def given_names_agree(a: Name, b: Name) -> bool:
    if not a and not b:
        return True
    if not a or not b:
        return False
    if joined(a).same(joined(b)):
        return True
    shorter, longer = sorted((a, b), key=len)
    if not any(not t.is_initial and any(t.same(u) for u in longer) for t in shorter):
        return False  # at least one whole given name in common
    return _assign(list(shorter), list(longer))


def _assign(wanted: list[Token], available: list[Token]) -> bool:
    """Whether each wanted token can take a distinct available token (backtracking)."""
    if not wanted:
        return True
    first, rest = wanted[0], wanted[1:]
    for n, candidate in enumerate(available):
        if _given_token_fits(first, candidate) and _assign(
            rest, available[:n] + available[n + 1 :]
        ):
            return True
    return False


def _given_token_fits(a: Token, b: Token) -> bool:
    if a.is_initial or b.is_initial:
        return a.plain[0] == b.plain[0]
    return a.same(b)
