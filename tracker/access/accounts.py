"""Local accounts: argon2 password hashes, sign-in with rate limiting, and their management (admins only)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, func, select, update
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


def authenticate(engine: Engine, username: str, password: str, now: datetime | None = None) -> Actor:
    """The account's actor if the password is right; AccountError otherwise. Too many recent failures for a
    name refuse further attempts for a while, whether or not the name exists (no hint either way)."""
    now = now or datetime.now(timezone.utc)
    with Session(engine) as session, session.begin():
        failures = session.scalar(select(func.count(LoginAttempt.id)).where(
            LoginAttempt.username == username, LoginAttempt.succeeded.is_(False),
            LoginAttempt.at >= now - WINDOW))
        if failures >= MAX_FAILURES:
            raise AccountError(f"登录失败次数过多，请 {int(WINDOW.total_seconds() // 60)} 分钟后再试")
        user = session.scalars(select(User).where(User.username == username)).first()
        actor = None
        if user is not None and user.active:
            try:
                if HASHER.verify(user.password_hash, password):
                    actor = Actor(user.username, user.role, user.prefecture_code, user.display_name)
                    if HASHER.check_needs_rehash(user.password_hash):
                        user.password_hash = HASHER.hash(password)
            except (VerificationError, InvalidHashError):
                actor = None
        # The attempt is committed whatever the outcome: a failure must count even though we refuse.
        session.add(LoginAttempt(username=username, succeeded=actor is not None, at=now))
    if actor is None:
        raise AccountError("用户名或密码不正确")
    return actor


def actor_of(engine: Engine, username: str) -> Actor | None:
    """The current actor of an account (None when it no longer exists or is disabled)."""
    with Session(engine) as session:
        user = session.scalars(select(User).where(User.username == username)).first()
        if user is None or not user.active:
            return None
        return Actor(user.username, user.role, user.prefecture_code, user.display_name)
