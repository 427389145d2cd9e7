"""The province → prefecture → county hierarchy as plain data, used by the engine without a database."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Level = Literal["province", "prefecture", "county"]


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    short_name: str
    level: Level
    parent_code: str | None


@dataclass(frozen=True)
class RegionTree:
    """All regions of one province, with lookups the engine and the pages need."""

    regions: tuple[Region, ...]
    _by_code: dict[str, Region] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_code", {r.code: r for r in self.regions})

    def __getitem__(self, code: str) -> Region:
        return self._by_code[code]

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    @property
    def province(self) -> Region:
        return next(r for r in self.regions if r.level == "province")

    def level(self, level: Level) -> list[Region]:
        return [r for r in self.regions if r.level == level]

    def children(self, code: str) -> list[Region]:
        return [r for r in self.regions if r.parent_code == code]

    def prefecture_of(self, county_code: str) -> str:
        parent = self._by_code[county_code].parent_code
        assert parent is not None
        return parent
