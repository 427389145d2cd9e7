"""Read Sichuan's divisions and named county sets from data/.

The divisions CSV is the NBS 2023 vintage (see data/divisions/PROVENANCE.md); codes are text, never numbers, so that
leading digits and zero padding survive every round trip.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from tracker import DATA_DIR
from tracker.model.regions import Region, RegionTree

DIVISIONS_CSV = DATA_DIR / "divisions" / "sichuan_divisions.csv"
REGION_SETS_DIR = DATA_DIR / "region_sets"
PROVINCE = Region(code="510000", name="四川省", short_name="四川", level="province", parent_code=None)


@lru_cache(maxsize=2)
def load_divisions(path: Path = DIVISIONS_CSV) -> RegionTree:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    regions = [PROVINCE]
    for row in rows:
        if row["level"] not in ("prefecture", "county"):
            raise ValueError(f"{path.name}: 代码 {row['code']} 的 level 不是 prefecture/county：{row['level']!r}")
        regions.append(
            Region(
                code=row["code"],
                name=row["name"],
                short_name=row["short_name"],
                level=row["level"],  # type: ignore[arg-type]
                parent_code=row["parent_code"],
            )
        )
    return RegionTree(tuple(regions))


@dataclass(frozen=True)
class RegionSet:
    id: str
    name_zh: str
    name_en: str
    demo: bool
    counties: tuple[str, ...]


@lru_cache(maxsize=8)
def load_region_set(set_id: str, directory: Path = REGION_SETS_DIR) -> RegionSet:
    """A named list of counties a target applies to; every code must be a county of the divisions."""
    path = directory / f"{set_id}.yaml"
    if not path.exists():
        raise ValueError(f"找不到县级名单 {set_id!r}（应在 {path.relative_to(DATA_DIR.parent)}）")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    tree = load_divisions()
    counties = tuple(str(c) for c in data["counties"])
    unknown = [c for c in counties if c not in tree or tree[c].level != "county"]
    if unknown:
        raise ValueError(f"{path.name}: counties: 不是四川县级行政区划代码：{unknown}")
    if len(set(counties)) != len(counties):
        raise ValueError(f"{path.name}: counties: 有重复的县")
    return RegionSet(
        id=data["id"],
        name_zh=data["name"]["zh"],
        name_en=data["name"]["en"],
        demo=bool(data.get("demo", False)),
        counties=counties,
    )


def resolve_scopes(plan) -> dict[str, list[str]]:
    """County codes each scoped target of ``plan`` applies to; unscoped targets are absent (all counties)."""
    tree = load_divisions()
    scopes: dict[str, list[str]] = {}
    for target in plan.targets:
        if target.scope is None:
            continue
        if target.scope.region_set is not None:
            scopes[target.id] = list(load_region_set(target.scope.region_set).counties)
        else:
            unknown = [c for c in target.scope.counties if c not in tree or tree[c].level != "county"]
            if unknown:
                raise ValueError(f"{plan.id}: targets(id={target.id}).scope.counties: 未知县级代码 {unknown}")
            scopes[target.id] = list(target.scope.counties)
    return scopes
