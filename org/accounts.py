"""Portal accounts, roles, jurisdiction of an account, lockout and API tokens."""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import secrets
from typing import Any

import peewee as pw
from werkzeug.security import check_password_hash, generate_password_hash

from network import audit
from network.db import db
from network.errors import DomainError, Msg, OutOfScope, ValidationError
from network.models import Organization, now

from . import throttle
from .models import (
    ADMIN,
    MANAGER,
    MEDIATOR,
    RANK,
    ROLES,
    TOKEN_DAYS,
    TRAINER,
    ApiToken,
    Mediator,
    User,
)
from .passwords import password_problem

LOCK_MINUTES = int(throttle.LOCK.total_seconds() // 60)
LAST_USED_EVERY = dt.timedelta(minutes=1)  # at most one write per token per minute
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.\-]{3,40}$")


def scope_of(user: User) -> Organization | None:
    """The root of the subtree an account may see; None means the whole network.

    A scoped role with no organisation gets an impossible scope rather than everything.
    """
    if user.role == ADMIN:
        return None
    if user.role == MEDIATOR:
        if user.mediator_id is not None:
            return user.mediator.station
        return Organization(id=0, path="/nowhere/", name="", code="")
    if user.organization_id is None:
        return Organization(id=0, path="/nowhere/", name="", code="")
    return user.organization


def hash_password(password: str) -> str:
    return generate_password_hash(password)


def _clean_user(data: dict[str, Any], instance: User | None) -> dict[str, Any]:
    errors: dict[str, Msg] = {}
    out: dict[str, Any] = {}
    if "username" in data:
        name = (data["username"] or "").strip()
        if not USERNAME_RE.match(name):
            errors["username"] = Msg("用户名为3到40位字母、数字、_.-")
        else:
            clash = User.select().where(User.username == name)
            if instance is not None:
                clash = clash.where(User.id != instance.id)
            if clash.exists():
                errors["username"] = Msg("用户名「%(name)s」已存在", name=name)
        out["username"] = name
    if "display_name" in data:
        out["display_name"] = (data["display_name"] or "").strip()[:50]
    if "role" in data:
        if data["role"] not in ROLES:
            errors["role"] = Msg("角色应为：admin、manager、trainer、mediator")
        out["role"] = data["role"]
    if data.get("password") not in (None, ""):
        problem = password_problem(str(data["password"]),
                                   out.get("username", instance.username if instance else ""))
        if problem is not None:
            errors["password"] = problem
        else:
            out["password_hash"] = hash_password(data["password"])
    elif instance is None:
        errors["password"] = Msg("必填")
    for key, model, attr in (("organization", Organization, "code"),
                             ("mediator", Mediator, "staff_no")):
        if key not in data:
            continue
        value = data[key]
        if value in (None, ""):
            out[key] = None
        elif isinstance(value, model):
            out[key] = value
        else:
            found = model.get_or_none(getattr(model, attr) == str(value).strip())
            if found is None:
                errors[key] = Msg("「%(v)s」不存在", v=value)
            out[key] = found
    if "active" in data:
        out["active"] = bool(data["active"])
    role = out.get("role", instance.role if instance else None)
    org = out.get("organization", instance.organization if instance else None)
    med = out.get("mediator", instance.mediator if instance else None)
    if role in (MANAGER, TRAINER) and org is None and "organization" not in errors:
        errors["organization"] = Msg("管理员和培训管理员必须指定所属机构")
    if role == MEDIATOR and med is None and "mediator" not in errors:
        errors["mediator"] = Msg("调解员账号必须关联调解员工号")
    if errors:
        raise ValidationError(errors)
    if role == MEDIATOR and med is not None:
        out["organization"] = med.station
    if role == ADMIN:
        out["organization"] = None
    return out


def _check_rights(actor: User, role: str, org: Organization | None) -> None:
    """A manager may act only inside their subtree and never grant more than they hold."""
    if actor.role == ADMIN:
        return
    if actor.role != MANAGER:
        raise OutOfScope(Msg("您没有管理账号的权限"))
    if RANK.get(role, 99) > RANK[MANAGER]:
        raise OutOfScope(Msg("不能创建或授予高于自己权限的账号"))
    scope = scope_of(actor)
    if org is None or not scope.contains(org):
        raise OutOfScope(Msg("账号所属机构超出您的管辖范围"))



def create_user(data: dict[str, Any], *, actor: User | None) -> User:
    """Create an account; `actor` None means the command line (a system administrator)."""
    values = _clean_user(data, None)
    if actor is not None:
        _check_rights(actor, values["role"], values.get("organization"))
    with db.atomic():
        user = User.create(**values)
        audit.record(actor.username if actor else "cli", "create", "user", user.id,
                     user.username, {"role": user.role, "organization": str(user.organization)
                                     if user.organization else None},
                     org_path=user.organization.path if user.organization else "")
    return user


def update_user(user: User, data: dict[str, Any], *, actor: User | None) -> User:
    if actor is not None:
        _check_rights(actor, user.role, user.organization)
    values = _clean_user(data, user)
    if actor is not None:
        _check_rights(actor, values.get("role", user.role),
                      values.get("organization", user.organization))
    with db.atomic():
        before = {k: str(getattr(user, k)) for k in values if k != "password_hash"}
        for key, value in values.items():
            setattr(user, key, value)
        # the form's columns only: the object may predate a log-out or a lock, whose
        # session_version and failed_logins another statement keeps (writing them back would
        # revive ended sessions)
        if values:
            user.save(only=[User._meta.fields[key] for key in values])
        changes = {k: [before[k], str(getattr(user, k))] for k in before
                   if before[k] != str(getattr(user, k))}
        if "password_hash" in values:
            changes["password"] = ["***", "***"]
            revoke_tokens(user, actor=actor.username if actor else "cli")
        if "password_hash" in values or {"role", "organization", "mediator", "active"} & set(
                changes):
            end_sessions(user)
        if changes:
            audit.record(actor.username if actor else "cli", "update", "user", user.id,
                         user.username, changes,
                         org_path=user.organization.path if user.organization else "")
    return user


class Throttled(DomainError):
    """Too many failed log-ins from one address: the answer is 429, not a form error."""


@functools.cache
def _dummy_hash() -> str:
    """A hash of the same kind as real ones, checked when the user does not exist, so a
    missing account costs the same scrypt time as a wrong password (no timing oracle)."""
    return hash_password(secrets.token_hex(16))


def _minutes(until: dt.datetime, at: dt.datetime) -> int:
    return max(1, -int(-(until - at).total_seconds() // 60))


def authenticate(username: str, password: str, *, address: str = "",
                 at: dt.datetime | None = None) -> User:
    """Check a password from network `address`; the 5th failure in a row for an account
    locks it for 15 minutes for that address only, the 20th failure of an address within
    15 minutes stops the address (see org.throttle).

    An unknown user and a wrong password get the same message, the same lock and the same
    scrypt work, so neither the form nor its timing tells which usernames exist.
    """
    at = at or now()
    name = (username or "").strip()
    by_address, by_account = throttle.address_key(address), throttle.account_key(name, address)
    until = throttle.locked_until(by_address, at)
    if until:
        raise Throttled(Msg("登录失败次数过多，请%(m)d分钟后再试", m=_minutes(until, at)))
    until = throttle.locked_until(by_account, at)
    if until:
        raise DomainError(Msg("账号已锁定，请%(m)d分钟后再试", m=_minutes(until, at)))
    user = User.get_or_none(User.username == name) if name else None
    right = check_password_hash(user.password_hash if user else _dummy_hash(), password or "")
    if user is None or not right:
        # Raise only after the block: an exception inside db.atomic() would roll back the
        # failure count and the lock it is meant to record.
        with db.atomic():
            throttle.record_failure(by_address, throttle.ADDRESS_FAILURES, at)
            locked = throttle.record_failure(by_account, throttle.ACCOUNT_FAILURES, at)
            if user is not None:
                # Shown to administrators in the account list; the lock itself is above.
                user.failed_logins = 0 if locked else (user.failed_logins or 0) + 1
                if locked:
                    user.locked_until = locked
                audit.record(user.username, "lock" if locked else "login_failed", "user",
                             user.id, user.username, {"address": address} if address else None,
                             org_path=user.organization.path if user.organization_id else "")
                user.save(only=[User.failed_logins, User.locked_until])
        if locked:
            raise DomainError(Msg("连续%(n)d次密码错误，账号已锁定%(m)d分钟",
                                  n=throttle.ACCOUNT_FAILURES, m=LOCK_MINUTES))
        raise DomainError(Msg("用户名或密码错误"))
    if not user.active:
        raise DomainError(Msg("账号已停用"))
    throttle.clear(by_account)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login = at
    user.save(only=[User.failed_logins, User.locked_until, User.last_login])
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, *, actor: str, days: int = TOKEN_DAYS,
                at: dt.datetime | None = None) -> str:
    """A new token, valid for `days`; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    at = at or now()
    with db.atomic():
        row = ApiToken.create(user=user, token_hash=_digest(token), created_at=at,
                              expires_at=at + dt.timedelta(days=days))
        audit.record(actor, "token", "user", user.id, user.username,
                     {"token": row.id, "expires_at": row.expires_at.isoformat()},
                     org_path=user.organization.path if user.organization_id else "")
    return token


def user_for_token(token: str, *, at: dt.datetime | None = None) -> User | None:
    """The account of a live token (not revoked, not expired, account active); notes when
    it was last used."""
    if not token:
        return None
    at = at or now()
    # the account's organisation (its scope) in the same statement: every scoped API call
    # needs it
    row = (ApiToken.select(ApiToken, User, Organization).join(User)
           .join(Organization, pw.JOIN.LEFT_OUTER, on=(User.organization == Organization.id))
           .where((ApiToken.token_hash == _digest(token)) & ApiToken.revoked_at.is_null())
           .first())
    if row is None or not row.user.active or at >= row.expiry():
        return None
    if row.last_used is None or at - row.last_used >= LAST_USED_EVERY:
        ApiToken.update(last_used=at).where(ApiToken.id == row.id).execute()
    return row.user


def revoke_tokens(user: User, *, actor: str, token_id: int | None = None) -> int:
    """Revoke one token of `user` (by id) or all of them; returns how many were live."""
    query = ApiToken.update(revoked_at=now()).where(
        (ApiToken.user == user) & ApiToken.revoked_at.is_null())
    if token_id is not None:
        query = query.where(ApiToken.id == token_id)
    with db.atomic():
        count = query.execute()
        if count:
            audit.record(actor, "revoke", "user", user.id, user.username,
                         {"tokens": count}, org_path=user.organization.path
                         if user.organization_id else "")
    return count


def end_sessions(user: User) -> None:
    """Every session of `user` ends at its next request (see User.session_version)."""
    User.update(session_version=User.session_version + 1).where(User.id == user.id).execute()
    user.session_version = User.get_by_id(user.id).session_version


def follow_station(mediator: Mediator, station: Organization, *, actor: str) -> int:
    """A mediator's accounts move with them: their organisation is the one whose managers see
    and manage them, and whose subtree scopes them. Call inside the move's transaction."""
    moved = 0
    for user in User.select().where((User.mediator == mediator) & (User.role == MEDIATOR)
                                    & (User.organization.is_null()
                                       | (User.organization != station.id))):
        before = str(user.organization) if user.organization_id else None
        user.organization = station
        user.save(only=[User.organization])
        audit.record(actor, "update", "user", user.id, user.username,
                     {"organization": [before, str(station)]}, org_path=station.path)
        moved += 1
    return moved


def unlock_user(user: User, *, actor: User | None) -> User:
    """Lift a lockout before its 15 minutes are up (the owner called the administrator)."""
    if actor is not None:
        _check_rights(actor, user.role, user.organization)
    with db.atomic():
        before = [str(user.locked_until) if user.locked_until else None, user.failed_logins]
        user.locked_until = None
        user.failed_logins = 0
        user.save(only=[User.locked_until, User.failed_logins])
        throttle.clear_account(user.username)
        audit.record(actor.username if actor else "cli", "unlock", "user", user.id,
                     user.username, {"locked_until": [before[0], None],
                                     "failed_logins": [before[1], 0]},
                     org_path=user.organization.path if user.organization else "")
    return user
