"""Statuses of targets and milestones, their labels, colours and thresholds, read once from targets/progress.yaml."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from tracker import TARGETS_DIR

CONFIG_FILE = TARGETS_DIR / "progress.yaml"


@dataclass(frozen=True)
class Status:
    id: str
    zh: str
    en: str
    colour: str

    def label(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh


@dataclass(frozen=True)
class Thresholds:
    on_track_pace: float
    at_risk_pace: float
    #: Below this share of a region's figures (its counties weighted as the engine says) a target that is not met
    #: is 数据不全, not judged: a pace read from a few counties says nothing about the region.
    min_coverage: float = 0.9


@dataclass(frozen=True)
class HistoryChecks:
    level_drop: float
    level_jump: float
    flow_jump_factor: float
    flow_jump_minimum: float


@dataclass(frozen=True)
class Deadline:
    deadline_day: int
    timezone: str


@dataclass(frozen=True)
class Approval:
    """Whether a prefecture's return waits for a province user's review (the default) or counts at once: an office
    that does not review keeps the simple flow by setting ``auto_accept: true``."""

    auto_accept: bool = False


@dataclass(frozen=True)
class ProgressConfig:
    thresholds: Thresholds
    checks: HistoryChecks
    reporting: Deadline
    statuses: tuple[Status, ...]
    milestone_statuses: tuple[Status, ...]
    approval: Approval = Approval()
    delivery_confidence: tuple[Status, ...] = ()

    def status(self, status_id: str) -> Status:
        return next(s for s in self.statuses if s.id == status_id)

    def milestone_status(self, status_id: str) -> Status:
        return next(s for s in self.milestone_statuses if s.id == status_id)

    def confidence(self, level: str) -> Status:
        return next(s for s in self.delivery_confidence if s.id == level)


@lru_cache(maxsize=2)
def load_config(path: Path = CONFIG_FILE) -> ProgressConfig:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    thresholds = Thresholds(**data["thresholds"])
    if not 0 < thresholds.at_risk_pace <= thresholds.on_track_pace:
        raise ValueError(f"{path.name}: thresholds: 须满足 0 < at_risk_pace ≤ on_track_pace")
    if not 0 < thresholds.min_coverage <= 1:
        raise ValueError(f"{path.name}: thresholds: min_coverage 须在 0 与 1 之间")
    return ProgressConfig(
        thresholds=thresholds,
        checks=HistoryChecks(**data["checks"]),
        reporting=Deadline(**data["reporting"]),
        statuses=tuple(Status(**s) for s in data["statuses"]),
        milestone_statuses=tuple(Status(**s) for s in data["milestone_statuses"]),
        approval=Approval(**(data.get("approval") or {})),
        delivery_confidence=tuple(Status(**s) for s in data.get("delivery_confidence") or ()),
    )
