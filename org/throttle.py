"""Failed log-ins counted per network address and per (account, address), in the database.

Locking an account for everyone after five bad passwords let anyone lock the administrator
out for good, by guessing again every 15 minutes. Here a lock holds only for the address the
guesses came from: the owner logs in from their own machine meanwhile. An address that guesses
at many accounts (password spraying) is stopped as a whole. The keys use the typed user name,
existing or not, so a lock says nothing about which accounts exist.

Why the database and not flask-limiter: its default storage is per worker process and lost on
restart, and sharing it needs Redis or memcached, which this deployment (SQLite or PostgreSQL
only) does not have; an administrator's unlock must also reach every worker. Counting only
failures, on two keys, is a few lines over one small table.
"""
from __future__ import annotations

import datetime as dt

import peewee as pw

from network.db import db

from .models import LoginThrottle

ACCOUNT_FAILURES = 5       # per (account, address) within the window
ADDRESS_FAILURES = 20      # per address, whatever account names it tries
WINDOW = dt.timedelta(minutes=15)
LOCK = dt.timedelta(minutes=15)


def address_key(address: str) -> str:
    return f"addr:{address or '-'}"[:200]


def account_key(username: str, address: str) -> str:
    return f"acct:{(username or '').strip().lower()}@{address or '-'}"[:200]


def locked_until(key: str, at: dt.datetime) -> dt.datetime | None:
    row = LoginThrottle.get_or_none(LoginThrottle.key == key)
    if row is not None and row.locked_until and row.locked_until > at:
        return row.locked_until
    return None


def record_failure(key: str, limit: int, at: dt.datetime) -> dt.datetime | None:
    """Count one failure; returns the end of the lock when this one reaches `limit`."""
    with db.atomic():
        row = LoginThrottle.get_or_none(LoginThrottle.key == key)
        if row is None:
            try:
                with db.atomic():
                    row = LoginThrottle.create(key=key, failures=0, window_start=at)
            except pw.IntegrityError:  # a parallel request created it first
                row = LoginThrottle.get(LoginThrottle.key == key)
        if at - row.window_start > WINDOW:
            row.failures, row.window_start = 0, at
        row.failures += 1
        ends = None
        if row.failures >= limit:
            ends = row.locked_until = at + LOCK
            row.failures, row.window_start = 0, at
        row.save()
        LoginThrottle.delete().where(  # forget stale rows, so the table stays small
            (LoginThrottle.window_start < at - dt.timedelta(days=1))
            & (LoginThrottle.locked_until.is_null() | (LoginThrottle.locked_until < at))
        ).execute()
    return ends


def clear(key: str) -> None:
    LoginThrottle.delete().where(LoginThrottle.key == key).execute()


def clear_account(username: str) -> None:
    """Lift every address's lock on an account (the administrator's unlock)."""
    prefix = account_key(username, "").removesuffix("-")
    LoginThrottle.delete().where(LoginThrottle.key.startswith(prefix)).execute()
