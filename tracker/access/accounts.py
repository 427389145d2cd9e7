"""Local accounts: argon2 password hashes, sign-in with rate limiting, and their management (admins only)."""
from __future__ import annotations

import functools
import secrets
from datetime import datetime, timedelta, timezone

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.orm import Session

from tracker.access.audit import record
from tracker.access.roles import ROLES, Actor
from tracker.store.models import LoginAttempt, RegionRow, SignInSession, User

HASHER = PasswordHasher()
#: Sign-in attempts allowed per user name in the window before further attempts are refused.
MAX_FAILURES, WINDOW = 5, timedelta(minutes=15)
MIN_PASSWORD = 10


class AccountError(ValueError):
    """A refused account operation or sign-in; the message is for the person."""


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"密码至少 {MIN_PASSWORD} 个字符")


def add_user(engine: Engine, admin: Actor, username: str, password: str, role: str,
             prefecture: str | None = None, display_name: str | None = None) -> None:
    admin.require("users")
    if role not in ROLES:
        raise AccountError(f"未知角色 {role!r}，可用：{'、'.join(ROLES)}")
    if (role == "prefecture") != (prefecture is not None):
        raise AccountError("市（州）用户须指定 --prefecture，其他角色不能指定")
    _check_password(password)
    with Session(engine) as session, session.begin():
        if prefecture is not None:
            region = session.get(RegionRow, prefecture)
            if region is None or region.level != "prefecture":
                raise AccountError(f"不是市（州）代码：{prefecture}")
        if session.scalars(select(User).where(User.username == username)).first() is not None:
            raise AccountError(f"用户 {username} 已存在")
        session.add(User(username=username, display_name=display_name or username, role=role,
                         prefecture_code=prefecture, password_hash=HASHER.hash(password), active=True))
        record(session, admin, "user", f"user:{username}", {"change": "add", "role": role, "prefecture": prefecture})


def _user(session: Session, username: str) -> User:
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        raise AccountError(f"没有用户 {username}")
    return user


def end_sessions(session: Session, username: str, why: str) -> int:
    """Revoke every live sign-in session of an account (in the caller's transaction): a cookie of it, wherever
    it was copied, opens nothing from the next run on. How many were ended."""
    result = session.execute(update(SignInSession)
                             .where(SignInSession.username == username, SignInSession.revoked_at.is_(None))
                             .values(revoked_at=datetime.now(timezone.utc), revoked_why=why))
    return result.rowcount


def disable_user(engine: Engine, admin: Actor, username: str) -> None:
    admin.require("users")
    with Session(engine) as session, session.begin():
        _user(session, username).active = False
        ended = end_sessions(session, username, "disabled")
        record(session, admin, "user", f"user:{username}", {"change": "disable", "sessions_ended": ended})


def set_password(engine: Engine, admin: Actor, username: str, password: str) -> None:
    admin.require("users")
    _check_password(password)
    with Session(engine) as session, session.begin():
        _user(session, username).password_hash = HASHER.hash(password)
        ended = end_sessions(session, username, "password")
        record(session, admin, "user", f"user:{username}", {"change": "password", "sessions_ended": ended})


def list_users(engine: Engine) -> pd.DataFrame:
    query = select(User.username, User.display_name, User.role, User.prefecture_code, User.active,
                   User.created_at).order_by(User.username)
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).all(), columns=[c.name for c in query.selected_columns])


@functools.cache
def _dummy_hash() -> str:
    """A hash of a random password made with the same parameters as real ones: names that cannot sign in are
    verified against it, so that they take as long to refuse as a wrong password for a real account."""
    return HASHER.hash(secrets.token_urlsafe(24))


def _refusal_wait() -> str:
    return f"登录失败次数过多，请 {int(WINDOW.total_seconds() // 60)} 分钟后再试"


def authenticate(engine: Engine, username: str, password: str, now: datetime | None = None) -> Actor:
    """The account's actor if the password is right; AccountError otherwise.

    Rate limit, atomic on both databases without a lock: the attempt is first *recorded* as a failure and
    committed on its own, and only then are the name's failures in the window counted, this one included. Of any
    number of concurrent attempts, the one whose row is the k-th to commit counts at least k rows (its own and
    every earlier committed one: SQLite's WAL and PostgreSQL's READ COMMITTED both show a new statement every
    committed row), so at most ``MAX_FAILURES`` of them find the count within the limit and reach the password
    check; the others are refused unverified and their rows removed (a refusal does not extend the lock). A
    verified wrong password keeps its row, so it goes on counting; a right one marks its row succeeded. The slow
    hash runs outside any transaction, so attempts never hold a lock while hashing. A burst can be refused
    whole (each attempt counting the others' rows): that errs on the safe side and locks nothing afterwards.

    Timing: the name is looked up in every case, and an unknown name or a disabled account is verified against a
    dummy argon2 hash, so the answer takes as long as for a real name with a wrong password (no hint whether the
    name exists). Too many recent failures refuse further attempts for a while, whether or not the name exists.
    """
    now = now or datetime.now(timezone.utc)
    dummy = _dummy_hash()  # made before the first attempt is timed, whatever its name
    with Session(engine) as session, session.begin():
        attempt = LoginAttempt(username=username, succeeded=False, at=now)
        session.add(attempt)
        session.flush()
        attempt_id = attempt.id
    with Session(engine) as session:
        failures = session.scalar(select(func.count(LoginAttempt.id)).where(
            LoginAttempt.username == username, LoginAttempt.succeeded.is_(False),
            LoginAttempt.at >= now - WINDOW))
        user = session.scalars(select(User).where(User.username == username)).first()
        known = user is not None and user.active
        stored = user.password_hash if known else dummy
        found = (user.id, user.username, user.role, user.prefecture_code, user.display_name) if known else None
    if failures > MAX_FAILURES:
        with Session(engine) as session, session.begin():
            session.execute(delete(LoginAttempt).where(LoginAttempt.id == attempt_id))
        raise AccountError(_refusal_wait())
    try:
        right = HASHER.verify(stored, password) and known
    except (VerificationError, InvalidHashError):
        right = False
    if not right:
        raise AccountError("用户名或密码不正确")
    user_id, name, role, prefecture, display = found
    with Session(engine) as session, session.begin():
        session.execute(update(LoginAttempt).where(LoginAttempt.id == attempt_id).values(succeeded=True))
        if HASHER.check_needs_rehash(stored):
            session.execute(update(User).where(User.id == user_id).values(password_hash=HASHER.hash(password)))
    return Actor(name, role, prefecture, display)


def actor_of(engine: Engine, username: str) -> Actor | None:
    """The current actor of an account (None when it no longer exists or is disabled)."""
    with Session(engine) as session:
        user = session.scalars(select(User).where(User.username == username)).first()
        if user is None or not user.active:
            return None
        return Actor(user.username, user.role, user.prefecture_code, user.display_name)
