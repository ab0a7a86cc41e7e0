"""What each audit action means, in the reader's language.

The log stores stable action codes (they are what operators grep for and what the
filter matches); pages show a translated sentence next to the code. An action without
a label here is shown by its code alone, so a new action never breaks the page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from i18n.translate import N_, gettext

_LABELS: Final[Mapping[str, str]] = {
    "account.2fa.disable": N_("Two-factor sign-in turned off"),
    "account.2fa.enable": N_("Two-factor sign-in turned on"),
    "account.2fa.recovery-code": N_("Recovery code used to sign in"),
    "account.email.confirm": N_("Email address confirmed"),
    "account.password.change": N_("Password changed"),
    "account.password.reset": N_("Password reset by email"),
    "account.sessions.end": N_("Sessions ended"),
    "account.signup.again": N_("Signed up again before confirming; the password is chosen anew"),
    "deid.flag.review": N_("Identifying-detail flag reviewed"),
    "member.add": N_("Member added"),
    "node.init": N_("Node set up"),
    "peer.add": N_("Peer node added"),
    "peer.block": N_("Peer node blocked"),
    "peer.key_change_refused": N_("Unexpected key change of a peer refused"),
    "peer.key_rotated": N_("Peer node changed its key"),
    "peer.remove": N_("Peer node removed"),
    "pseudonym.reveal": N_("Anonymous author revealed"),
    "register.import": N_("Licence register imported"),
    "register.import.held": N_("Register import held back for review"),
    "report.dismiss": N_("Report dismissed"),
    "report.hide": N_("Reported post hidden"),
    "report.remove": N_("Reported post removed"),
    "report.restore": N_("Hidden post restored"),
    "token.issue": N_("API token issued"),
    "token.revoke": N_("API tokens revoked"),
    "verification.claim": N_("Verification requested"),
    "verification.claim.conflict": N_("Licence number already claimed by another member"),
    "verification.document.delete": N_("Verification document deleted"),
    "verification.document.upload": N_("Verification document uploaded"),
    "verification.document.view": N_("Verification document opened"),
    "verification.pending": N_("Member set to pending verification"),
    "verification.reject": N_("Verification rejected"),
    "verification.revoke": N_("Verification revoked"),
    "verification.suspend": N_("Member suspended"),
    "verification.verify": N_("Member verified"),
}


def action_label(code: str) -> str | None:
    """The action in words, or None for a code this version does not know."""
    label = _LABELS.get(code)
    return gettext(label) if label else None


def known_actions() -> frozenset[str]:
    return frozenset(_LABELS)
