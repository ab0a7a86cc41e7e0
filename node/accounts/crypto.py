"""Keys derived from the node secret for the accounts feature, one per purpose.

Deriving (HKDF) instead of storing keys means a stolen database alone yields no
TOTP secrets and no way to test guesses of recovery codes; a separate ``info`` per
purpose keeps a key for one job useless for another.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

# Recovery codes: 10 characters from an alphabet without look-alikes, about 50 bits.
_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_CODE_LENGTH = 10


def derive(secret: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(secret)


def token_hash(token: str) -> str:
    """What is stored for a mailed link: a database leak must not yield usable links."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_link_token() -> str:
    return secrets.token_urlsafe(32)


class SealBroken(ValueError):
    """A sealed value was not made by this node, or has expired."""


@dataclass(frozen=True)
class AccountKeys:
    totp: Fernet
    pending_login: Fernet
    recovery: bytes

    @classmethod
    def from_secret(cls, secret: bytes) -> AccountKeys:
        def fernet(purpose: bytes) -> Fernet:
            return Fernet(base64.urlsafe_b64encode(derive(secret, purpose)))

        return cls(
            totp=fernet(b"curbside totp secrets"),
            pending_login=fernet(b"curbside pending login"),
            recovery=derive(secret, b"curbside recovery codes"),
        )

    def seal_totp(self, secret: str) -> str:
        return self.totp.encrypt(secret.encode()).decode()

    def open_totp(self, sealed: str) -> str:
        try:
            return self.totp.decrypt(sealed.encode()).decode()
        except InvalidToken:
            # Only a changed node secret gets here; the member must set up 2FA again.
            raise SealBroken(
                "the TOTP secret cannot be decrypted with this node's secret"
            ) from None

    def recovery_hash(self, member_id: int, code: str) -> str:
        normalised = normalise_recovery_code(code)
        return hmac.new(
            self.recovery, f"{member_id}:{normalised}".encode(), hashlib.sha256
        ).hexdigest()


def new_recovery_code() -> str:
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def normalise_recovery_code(code: str) -> str:
    """People retype codes with spaces, dashes and capitals; none of that matters."""
    return "".join(ch for ch in code.lower() if ch.isalnum())


def looks_like_recovery_code(code: str) -> bool:
    return len(normalise_recovery_code(code)) == _CODE_LENGTH
