"""Database tables. Rows of reported values, allocations, milestone updates and evidence files are only ever added:
a newer row supersedes an older one, and the older one stays for history and audit. Those four tables, the audit
trail and the reviews are append-only in the database itself (migrations 0003, 0004, 0007: triggers refuse UPDATE,
DELETE, TRUNCATE and, on SQLite, an INSERT OR REPLACE or upsert over an existing row); so are the later records of
what people decided or said (judgements, reminders, explanations, cell returns, plan closures: 0009–0013). A
submission's ``status`` changes as it is reviewed; the current figures are derived and rewritten; accounts, sign-in
attempts and sign-in sessions change too."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Explicit constraint names keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class PlanRow(Base):
    __tablename__ = "plans"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64), doc="hash of the plan file last loaded")
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class TargetRow(Base):
    __tablename__ = "targets"
    plan_id: Mapped[str] = mapped_column(ForeignKey("plans.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[float | None] = mapped_column(Float, nullable=True, doc="none for a target from its baseline")


class MilestoneRow(Base):
    __tablename__ = "milestones"
    plan_id: Mapped[str] = mapped_column(ForeignKey("plans.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    task: Mapped[str] = mapped_column(String(64))


class RegionRow(Base):
    __tablename__ = "regions"
    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    short_name: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(16))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), nullable=True)


class Submission(Base):
    """One uploaded return (or one batch of demo data): who sent what, when, and which file."""

    __tablename__ = "submissions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_id: Mapped[str] = mapped_column(ForeignKey("plans.id"))
    period: Mapped[str] = mapped_column(String(7), doc="reporting month YYYY-MM")
    prefecture_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), nullable=True)
    uploader: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    file_name: Mapped[str | None] = mapped_column(Text, nullable=True)
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="accepted",
                                        doc="submitted | accepted | returned | withdrawn")
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    n_values: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    warnings: Mapped[str | None] = mapped_column(Text, nullable=True, doc="JSON list of warnings accepted at import")

    __table_args__ = (Index("ix_submissions_plan_period", "plan_id", "period", "prefecture_code"),)


class Review(Base):
    """A province user's decision on a submission: accepted, returned (with a reason) or, for an accepted
    prefecture-month, reopened (with a reason). Append-only, like the audit trail: ``submissions.status`` is the
    current state, these rows are how it got there, and a month's lock is read from them (tracker/review/approval.py)."""

    __tablename__ = "reviews"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"))
    action: Mapped[str] = mapped_column(String(16), doc="accepted | returned | reopened | withdrawn")
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    actor: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (Index("ix_reviews_submission", "submission_id", "id"),)


class DeliveryJudgement(Base):
    """The office's judgement at a monthly review (调度会) of how likely a target is to be delivered by its
    deadline, with the reason and the review's date. It stands beside the computed status and never changes it.
    Append-only: a new judgement is a new row (migration 0009)."""

    __tablename__ = "delivery_judgements"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_id: Mapped[str] = mapped_column(String(64))
    target_id: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(16), doc="an id of targets/progress.yaml delivery_confidence")
    reason: Mapped[str] = mapped_column(Text)
    reviewed_on: Mapped[date] = mapped_column(Date)
    actor: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (Index("ix_delivery_judgements_target", "plan_id", "target_id", "id"),)


class Reminder(Base):
    """A reminder (催报) sent to a late prefecture for a month, first to its contact, then (stage "escalation") to
    the escalation contact: the counties it named, who it went to on which channels, what each channel answered.
    At most one per prefecture, month and stage; append-only (migration 0010)."""

    __tablename__ = "reminders"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_id: Mapped[str] = mapped_column(String(64))
    prefecture_code: Mapped[str] = mapped_column(String(12))
    period: Mapped[str] = mapped_column(String(7))
    stage: Mapped[str] = mapped_column(String(16), doc="first | escalation")
    counties: Mapped[str] = mapped_column(Text, doc="JSON list of county codes without an accepted return")
    recipients: Mapped[str] = mapped_column(Text, doc="JSON list of addresses and robots notified")
    outcome: Mapped[str] = mapped_column(Text, doc="JSON: channel → 'sent' or the error")
    actor: Mapped[str] = mapped_column(String(128))
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (UniqueConstraint("plan_id", "prefecture_code", "period", "stage",
                                       name="uq_reminders_once"),)


class Explanation(Base):
    """A prefecture's explanation (情况说明) of a month's figure of a target, for one county or (county None) for the
    prefecture as a whole, with who wrote it and when; the newest of a (prefecture, month, target, county) is shown.
    Append-only (migration 0011)."""

    __tablename__ = "explanations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_id: Mapped[str] = mapped_column(String(64))
    prefecture_code: Mapped[str] = mapped_column(String(12))
    period: Mapped[str] = mapped_column(String(7))
    target_id: Mapped[str] = mapped_column(String(64))
    county_code: Mapped[str | None] = mapped_column(String(12), nullable=True)
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(128))
    submission_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (Index("ix_explanations_month", "plan_id", "period", "target_id", "id"),)


class CellReturn(Base):
    """A figure (or a target's whole column) of a submission returned to its prefecture for correction (退回单元格),
    with the reason: it stops counting at once, the rest of the submission counts, and the month's lock keeps
    every other accepted cell as it is. Corrected when a later submission of the month carries the cell
    (tracker/review/corrections.py). Append-only (migration 0012)."""

    __tablename__ = "cell_returns"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"))
    target_id: Mapped[str] = mapped_column(String(64))
    region_code: Mapped[str | None] = mapped_column(String(12), nullable=True, doc="None: every county's figure")
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (Index("ix_cell_returns_submission", "submission_id", "target_id"),)


class PlanClosure(Base):
    """An act of closing an ended plan (``close``: its evaluation has gone upward, it is read-only from now on) or of
    reopening it (``reopen``, with the reason), who did it and when; the newest act of a plan is its standing.
    Append-only (migration 0013): a closure is undone by a reopening, never by rewriting it."""

    __tablename__ = "plan_closures"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_id: Mapped[str] = mapped_column(ForeignKey("plans.id"))
    action: Mapped[str] = mapped_column(String(8), doc="close | reopen")
    reason: Mapped[str] = mapped_column(Text)
    document: Mapped[str | None] = mapped_column(String(128), nullable=True, doc="文号 of the closing document")
    actor: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (Index("ix_plan_closures_plan", "plan_id", "id"),)


class ReportedValue(Base):
    """A county figure for one target and month, as one submission stated it. Never updated or deleted."""

    __tablename__ = "reported_values"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"))
    plan_id: Mapped[str] = mapped_column(String(64))
    target_id: Mapped[str] = mapped_column(String(64))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    period: Mapped[str] = mapped_column(String(7))
    value: Mapped[float] = mapped_column(Float)

    __table_args__ = (
        ForeignKeyConstraint(["plan_id", "target_id"], ["targets.plan_id", "targets.id"],
                             name="fk_reported_values_target"),
        Index("ix_reported_values_lookup", "plan_id", "target_id", "region_code", "period", "submission_id"),
        # progress at a month: one range seek per target, the value read from the index (migration 0005)
        Index("ix_reported_values_month", "plan_id", "target_id", "period", "region_code", "submission_id", "value"),
    )


class CurrentFigure(Base):
    """The figure that counts now for one (target, county, month), per layer (real or demo): the newest accepted
    submission's. Derived from ``reported_values`` and kept in step at every write (tracker/store/current.py), so that
    progress is a plain range scan and ``GROUP BY`` rather than a ranking of every stored figure."""

    __tablename__ = "current_figures"
    plan_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    target_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    region_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    value: Mapped[float] = mapped_column(Float)
    submission_id: Mapped[int] = mapped_column(Integer, doc="the submission the figure comes from")

    __table_args__ = (
        # a county's months in order, value included: a multi-year target's closed years without a sort
        Index("ix_current_figures_county", "plan_id", "target_id", "is_demo", "region_code", "period", "value"),
        # SQLite keeps the rows in key order, value beside the key: a target's month is one contiguous range
        {"sqlite_with_rowid": False},
    )


class CurrentYearTotal(Base):
    """A calendar year's sum of the current figures of one (target, county), per layer. A multi-year target summed
    over months reads its closed years here, one row a year instead of twelve months of figures. Derived from
    ``current_figures`` and kept in step with it in the same transaction (tracker/store/current.py)."""

    __tablename__ = "current_year_totals"
    plan_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    target_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    year: Mapped[str] = mapped_column(String(4), primary_key=True, doc="YYYY, as periods begin")
    region_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    value: Mapped[float] = mapped_column(Float)

    __table_args__ = ({"sqlite_with_rowid": False},)


class Allocation(Base):
    """A target handed down to a prefecture or county (分解下达). The newest row per region and target counts."""

    __tablename__ = "allocations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_id: Mapped[str] = mapped_column(String(64))
    target_id: Mapped[str] = mapped_column(String(64))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    value: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    uploader: Mapped[str] = mapped_column(String(128))
    source: Mapped[str | None] = mapped_column(Text, nullable=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        ForeignKeyConstraint(["plan_id", "target_id"], ["targets.plan_id", "targets.id"],
                             name="fk_allocations_target"),
        Index("ix_allocations_lookup", "plan_id", "target_id", "region_code", "id"),
    )


class EvidenceFile(Base):
    """A document attached to a milestone update (a notice, a photo, minutes). Stored once per content hash."""

    __tablename__ = "evidence_files"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(Text, doc="the uploaded file's name, shown only, never used as a path")
    content: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class MilestoneUpdate(Base):
    """A status report on a qualitative measure. The newest per milestone is its status; all stay as history."""

    __tablename__ = "milestone_updates"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_id: Mapped[str] = mapped_column(String(64))
    milestone_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    as_of: Mapped[str] = mapped_column(String(7), doc="month the status describes")
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    evidence_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_files.id"), nullable=True)

    __table_args__ = (
        ForeignKeyConstraint(["plan_id", "milestone_id"], ["milestones.plan_id", "milestones.id"],
                             name="fk_milestone_updates_milestone"),
        Index("ix_milestone_updates_lookup", "plan_id", "milestone_id", "id"),
    )


class User(Base):
    """A local account. The password is kept only as an argon2 hash (salted, deliberately slow)."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(16), doc="admin | province | prefecture | viewer")
    prefecture_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), nullable=True)
    password_hash: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class LoginAttempt(Base):
    """Sign-in attempts, for rate limiting (by user name, whether or not the name exists)."""

    __tablename__ = "login_attempts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    succeeded: Mapped[bool] = mapped_column(Boolean, default=False)


class SignInSession(Base):
    """One sign-in: the session a cookie's token stands for (the token carries ``id``). Checked on every run, so
    revoking it (退出登录, a password change, a disabled account) ends it at once, wherever the cookie was copied
    to. Not append-only: revoking sets ``revoked_at``; rows long expired are deleted."""

    __tablename__ = "sign_in_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True, doc="random, in the signed token")
    username: Mapped[str] = mapped_column(ForeignKey("users.username"), index=True)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_why: Mapped[str | None] = mapped_column(String(16), nullable=True, doc="sign_out | password | disabled")


class TargetRevisionRow(Base):
    """A revision of a target (目标调整) as first read from its plan file. Append-only (database triggers refuse
    updates, deletes and replaces): the file may add revisions, never rewrite or drop one already recorded
    (``store.sync_reference`` refuses such a file)."""

    __tablename__ = "target_revisions"
    plan_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    target_id: Mapped[str] = mapped_column(String(64))
    effective: Mapped[str] = mapped_column(String(7))
    content: Mapped[str] = mapped_column(Text, doc="the revision as the file states it (JSON)")
    sha256: Mapped[str] = mapped_column(String(64), doc="of ``content``")
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class AuditEntry(Base):
    """One write, who made it and what it touched. Append-only: database triggers refuse updates and deletes."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(32), doc="import | allocate | milestone | user | accept | return | reopen | ...")
    object: Mapped[str] = mapped_column(Text, doc="what was written, e.g. submission:12")
    detail: Mapped[str | None] = mapped_column(Text, nullable=True, doc="JSON")
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True, doc="hash of the file, when a file was written")

    __table_args__ = (Index("ix_audit_log_at", "at"),)
