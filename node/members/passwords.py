"""Password hashing with argon2id (argon2-cffi's defaults follow RFC 9106).

A hash or a check costs about a quarter of a second of CPU and 64 MiB. On the event
loop that froze the whole node for as long: ten sign-ups at once held every request
for seconds. Requests use the ``*_off_loop`` forms, which run on two threads of
their own (argon2 releases the GIL), so the loop keeps serving and at most two run
at once whatever arrives; the rest wait their turn.
"""

import asyncio
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()  # stateless and thread-safe: a constant, not shared state
# Shared by every node of the process (tests run several): a pool, not a lock bound
# to one event loop.
_THREADS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="argon2")

MIN_LENGTH = 10
MAX_LENGTH = 1024  # bound the work an attacker can make us do per attempt


def check_password_policy(password: str) -> None:
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise ValueError(f"password must be {MIN_LENGTH} to {MAX_LENGTH} characters")


def hash_password(password: str) -> str:
    check_password_policy(password)
    return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def hash_password_off_loop(password: str) -> str:
    return await asyncio.get_running_loop().run_in_executor(_THREADS, hash_password, password)


async def verify_password_off_loop(password_hash: str, password: str) -> bool:
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_THREADS, verify_password, password_hash, password)
