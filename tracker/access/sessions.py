"""Sign-in sessions: a signed, expiring token kept in a browser cookie, the session it stands for kept in the
database, and who a request acts as.

Streamlit reads cookies (``st.context.cookies``, from the request that opened the page) but cannot set them, so
the page writes the token with a line of JavaScript and reads it back on the next page load; this module never
sees the browser. The token is signed, not encrypted: it carries the user name, a fingerprint of the account's
password hash and the id of its row in ``sign_in_sessions``. Every run checks that row (``verify``), so a session
ends for good when it is revoked — by 退出登录 (``revoke``), a password change or a disabled account
(tracker/access/accounts.py revokes all of that account's sessions in the same transaction) — and a copied cookie
dies with it. Several app servers share sessions because they share the database and the secret key.

Who a request acts as (``access``):

- no active account in the database (a fresh install, the demo): everyone acts as a province user, so
  ``make run`` works out of the box; the sidebar says so;
- otherwise a valid token (or a single sign-on identity mapped to a local account) gives that account's actor;
- otherwise, with the public overview switched on, an anonymous reader sees the overview only; without it, the
  sign-in page.
"""
from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Literal

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import Engine, delete, exists, func, select, update
from sqlalchemy.orm import Session

from tracker import DATA_DIR
from tracker.access.accounts import actor_of
from tracker.access.roles import Actor, PermissionDenied
from tracker.store.models import SignInSession, User

#: The cookie's name; the browser sends it back with the page request, ``st.context.cookies`` reads it.
COOKIE = "tracker_session"
DEFAULT_HOURS = 12.0
#: Below this a key could be guessed offline from one captured cookie.
MIN_KEY_CHARS = 32
_SALT = "tracker-session-v1"
#: Sessions expired this long ago are deleted when someone signs in (the sign-in attempts keep the history).
KEEP_EXPIRED = timedelta(days=7)

#: Who acts while no account exists: the province office, as before accounts were introduced.
OPEN_ACTOR = Actor("上报页面", "province", display_name="未设账户（按省级用户处理）")

Mode = Literal["open", "signed_in", "public", "sign_in"]


class SessionConfigError(RuntimeError):
    """The secret key is unusable; the message says what to fix."""


@dataclass(frozen=True)
class Access:
    """What this browser session may see. ``stale``: a token was presented and refused (expired, tampered,
    revoked), so the browser's cookie should be cleared and the person told to sign in again."""

    mode: Mode
    actor: Actor | None = None
    stale: bool = False
    sso_unknown: str | None = None  # an SSO identity with no local account: named on the sign-in page


def session_hours(env: Mapping[str, str] = os.environ) -> float:
    """How long a token stays valid (TRACKER_SESSION_HOURS, default 12): a working day, so a laptop left
    signed in overnight is not."""
    raw = env.get("TRACKER_SESSION_HOURS")
    if not raw:
        return DEFAULT_HOURS
    try:
        hours = float(raw)
    except ValueError as exc:
        raise SessionConfigError(f"TRACKER_SESSION_HOURS 应为小时数：{raw!r}") from exc
    if hours <= 0:
        raise SessionConfigError(f"TRACKER_SESSION_HOURS 应为正数：{raw!r}")
    return hours


def public_overview(env: Mapping[str, str] = os.environ) -> bool:
    """Whether anonymous readers may see the overview (TRACKER_PUBLIC_OVERVIEW=1)."""
    return env.get("TRACKER_PUBLIC_OVERVIEW", "").strip().lower() in {"1", "true", "yes", "on"}


def key_file(database_url: str, env: Mapping[str, str] = os.environ) -> Path:
    """Where the generated key lives: TRACKER_SECRET_KEY_FILE, else beside a SQLite database file (so each
    database, a test's included, has its own), else ``data/secret.key``."""
    if env.get("TRACKER_SECRET_KEY_FILE"):
        return Path(env["TRACKER_SECRET_KEY_FILE"])
    if database_url.startswith("sqlite"):
        path = database_url.split("///", 1)[-1].split("?", 1)[0]
        if path and path != ":memory:":
            return Path(path).parent / "secret.key"
    return DATA_DIR / "secret.key"


def secret_key(database_url: str, env: Mapping[str, str] = os.environ) -> str:
    """The key tokens are signed with: TRACKER_SECRET_KEY, else the key file, created once with a random key.

    The file is created exclusively (O_EXCL) and readable by its owner only, so two servers starting together on
    one machine agree on one key, and another local user cannot read it.
    """
    key = env.get("TRACKER_SECRET_KEY")
    if key:
        if len(key) < MIN_KEY_CHARS:
            raise SessionConfigError(f"TRACKER_SECRET_KEY 太短：至少 {MIN_KEY_CHARS} 个字符")
        return key
    path = key_file(database_url, env)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(48) + "\n")
    key = path.read_text(encoding="utf-8").strip()
    if len(key) < MIN_KEY_CHARS:  # an empty file left by a crash between create and write
        raise SessionConfigError(f"密钥文件 {path} 无效：请删除后重启（会生成新密钥，已登录的用户需重新登录）")
    return key


def _serializer(key: str, issued_at: datetime | None = None) -> URLSafeTimedSerializer:
    if issued_at is None:
        return URLSafeTimedSerializer(key, salt=_SALT)

    class _IssuedAt(TimestampSigner):  # a token from the past: how the tests make an expired one
        def get_timestamp(self) -> int:
            return int(issued_at.timestamp())

    return URLSafeTimedSerializer(key, salt=_SALT, signer=_IssuedAt)


def _fingerprint(password_hash: str) -> str:
    # A digest, not the hash: the token is readable by whoever holds it.
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def _utc(moment: datetime) -> datetime:
    """SQLite hands timestamps back naive; they were stored in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def issue(engine: Engine, actor: Actor, key: str, issued_at: datetime | None = None,
          hours: float | None = None) -> str:
    """A token for an actor who has just signed in, and the session row it stands for."""
    issued_at = issued_at or datetime.now(timezone.utc)
    hours = hours if hours is not None else session_hours()
    session_id = secrets.token_urlsafe(32)
    with Session(engine) as session, session.begin():
        user = session.scalars(select(User).where(User.username == actor.username)).first()
        if user is None:
            raise ValueError(f"没有用户 {actor.username}")
        session.execute(delete(SignInSession).where(SignInSession.expires_at < issued_at - KEEP_EXPIRED))
        username, fingerprint = user.username, _fingerprint(user.password_hash)
        session.add(SignInSession(id=session_id, username=username, issued_at=issued_at,
                                  expires_at=issued_at + timedelta(hours=hours)))
    return _serializer(key, issued_at).dumps({"u": username, "f": fingerprint, "s": session_id})


def _payload(token: str, key: str, max_age: timedelta | None) -> dict | None:
    try:
        payload = _serializer(key).loads(token, max_age=max_age.total_seconds() if max_age is not None else None)
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(payload, dict) or not all(isinstance(payload.get(k), str) for k in ("u", "f", "s")):
        return None  # tokens issued before sessions were kept server-side carry no "s": sign in again
    return payload


def verify(engine: Engine, token: str, key: str, max_age: timedelta | None = None,
           now: datetime | None = None) -> Actor | None:
    """The actor a token stands for, or None when it is forged or expired, its session has been revoked (signed
    out, password changed, account disabled) or its account has since been disabled, removed or given a new
    password. One query: the session row and its account."""
    max_age = max_age if max_age is not None else timedelta(hours=session_hours())
    payload = _payload(token, key, max_age)
    if payload is None:
        return None
    now = now or datetime.now(timezone.utc)
    with Session(engine) as session:
        found = session.execute(
            select(User, SignInSession.expires_at)
            .join(SignInSession, SignInSession.username == User.username)
            .where(SignInSession.id == payload["s"], SignInSession.username == payload["u"],
                   SignInSession.revoked_at.is_(None))).first()
        if found is None:
            return None
        user, expires_at = found
        if _utc(expires_at) <= now or not user.active or payload["f"] != _fingerprint(user.password_hash):
            return None
        return Actor(user.username, user.role, user.prefecture_code, user.display_name)


def revoke(engine: Engine, token: str | None, key: str | None, why: str = "sign_out") -> bool:
    """End the session a token stands for (退出登录), whatever browser holds a copy of its cookie. Whether there
    was a live session to end; an unreadable token ends nothing."""
    payload = _payload(token, key, None) if token and key else None
    if payload is None:
        return False
    with Session(engine) as session, session.begin():
        result = session.execute(update(SignInSession)
                                 .where(SignInSession.id == payload["s"], SignInSession.revoked_at.is_(None))
                                 .values(revoked_at=datetime.now(timezone.utc), revoked_why=why))
        return result.rowcount > 0


def live_sessions(engine: Engine, username: str, now: datetime | None = None) -> int:
    """How many unrevoked, unexpired sessions an account has (for the tests and the command line)."""
    now = now or datetime.now(timezone.utc)
    with Session(engine) as session:
        rows = session.scalars(select(SignInSession.expires_at).where(
            SignInSession.username == username, SignInSession.revoked_at.is_(None))).all()
    return sum(1 for expires in rows if _utc(expires) > now)


def accounts_exist(engine: Engine) -> bool:
    """Whether sign-in is required: at least one active account."""
    with engine.connect() as conn:
        return bool(conn.scalar(select(exists().where(User.active.is_(True)))))


def sso_actor(engine: Engine, email: str | None, email_verified: bool | None = None) -> Actor | None:
    """The local account a single sign-on identity maps to: the one whose user name is the e-mail address
    (case ignored). The identity provider proves who someone is; the role comes only from the local account,
    so an administrator decides who may do what. An address the provider says is unverified maps to nobody."""
    if not email or email_verified is False:
        return None
    with Session(engine) as session:
        name = session.scalar(select(User.username).where(func.lower(User.username) == email.strip().lower()))
    return actor_of(engine, name) if name is not None else None


def access(engine: Engine, token: str | None, key: str | None, *, public: bool = False,
           sso_email: str | None = None, sso_verified: bool | None = None,
           max_age: timedelta | None = None) -> Access:
    """Who this browser session acts as, from its cookie's token and, when single sign-on is configured and the
    person went through it, the identity's e-mail. ``key`` may be None when there is no token to check."""
    if not accounts_exist(engine):
        return Access("open", OPEN_ACTOR)
    stale = False
    if token:
        actor = verify(engine, token, key, max_age) if key else None
        if actor is not None:
            return Access("signed_in", actor)
        stale = True
    unknown = None
    if sso_email:
        actor = sso_actor(engine, sso_email, sso_verified)
        if actor is not None:
            return Access("signed_in", actor, stale)
        unknown = sso_email
    return Access("public" if public else "sign_in", None, stale, unknown)


def may_see(actor: Actor | None, page: str) -> bool:
    """Whether a page (its file stem under pages/) is in an actor's navigation. Anonymous readers (the public
    overview) see the overview only; writing pages follow the permissions the core enforces anyway, so a hidden
    page is a convenience, not the defence."""
    if actor is None:
        return page == "overview"
    if actor == OPEN_ACTOR:  # no accounts yet: every page, as before accounts existed
        return True
    if page == "upload":
        return actor.may("import") or actor.may("allocate")
    if page == "plan_import":  # writes plan files: admins manage plans
        return actor.role == "admin"
    if page == "audit":
        return actor.role in ("admin", "province")
    if page == "review":  # reviewers, and prefectures following their own submissions
        return actor.may("approve") or actor.role == "prefecture"
    return True


def guarded(engine: Engine, token: str | None, key: str | None, page: str, fetch: Callable[[], bytes], *,
            sso_email: str | None = None, sso_verified: bool | None = None) -> Callable[[], bytes]:
    """A download's data that is read only when it is asked for, and only if the session that was shown the
    button may still see ``page`` then (not signed out, not revoked, not disabled). Streamlit runs such a callable
    when the button is clicked (a deferred ``st.download_button``), so the file reaches the server's media store
    only for an allowed click, not on every run of the page."""

    def allowed_fetch() -> bytes:
        decided = access(engine, token, key, sso_email=sso_email, sso_verified=sso_verified)
        if decided.actor is None or not may_see(decided.actor, page):
            raise PermissionDenied(f"下载需要登录且有权查看此页面：{page}")
        return fetch()

    return allowed_fetch
