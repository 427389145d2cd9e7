"""Department names as plans write them → the canonical ids of ``targets/departments.yaml``.

A plan names departments in a closing parenthesis, ``（省发展改革委、人力资源社会保障厅按职责分工负责）``, in
protocol order: they share the work and none leads, unless one is marked ``牵头`` (then it is the lead). Names are matched by the registry's ``short`` form and full name,
with or without the ``四川省``/``省`` prefix, and by the common abbreviations below.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from tracker.model.plan import DepartmentRegistry

#: Abbreviations plans use for the registry's departments (the registry's own short and full names are added).
ABBREVIATIONS: dict[str, str] = {
    "人社厅": "hrss", "人力资源和社会保障厅": "hrss", "人力资源社会保障厅": "hrss",
    "发改委": "ndrc", "发展改革委": "ndrc", "发展和改革委员会": "ndrc",
    "住建厅": "housing", "住房和城乡建设厅": "housing",
    "农业农村厅": "agriculture", "农业厅": "agriculture",
    "医保局": "healthcare_security", "医疗保障局": "healthcare_security",
    "总工会": "trade_unions",
    "农民工工作领导小组": "migrant_work_group", "农民工工作领导小组办公室": "migrant_work_group",
}
_SUFFIXES = re.compile(r"(按职责分工负责|按职责分别负责|按职责负责|分工负责|分别负责|共同负责|负责|按职责|牵头|配合|参与|落实|等)+$")
_SEPARATORS = re.compile(r"[、，；,;]|(?<=[委厅局会组部办])(?:和|及|与)")


def _key(name: str) -> str:
    name = re.sub(r"\s+", "", name)
    return re.sub(r"^(四川省|四川|省级|省)", "", name)


@dataclass(frozen=True)
class Resolved:
    lead: str | None          # only a department the text marks 牵头
    co: tuple[str, ...]       # the others, in the order named (all of them when none leads)
    unknown: tuple[str, ...]  # names that match no registered department

    @property
    def found(self) -> bool:
        return self.lead is not None or bool(self.co)


class DepartmentMatcher:
    def __init__(self, registry: DepartmentRegistry):
        self.names: dict[str, str] = {}
        for dept in registry.departments:
            for name in (dept.short, dept.name.zh):
                self.names[_key(name)] = dept.id
        for name, dept_id in ABBREVIATIONS.items():
            if dept_id in registry.by_id():
                self.names.setdefault(_key(name), dept_id)
        self.full_names = [(d.name.zh, d.id) for d in registry.departments]

    def match(self, name: str) -> str | None:
        return self.names.get(_key(name))

    def resolve(self, content: str) -> Resolved:
        """Departments of one closing parenthesis: the marked lead, and the others in the order named."""
        ids: list[str] = []
        unknown: list[str] = []
        lead: str | None = None
        for part in re.split(r"[，；]", content):
            marked_lead = "牵头" in part
            for name in _SEPARATORS.split(part):
                name = _SUFFIXES.sub("", name.strip())
                if not name:
                    continue
                dept = self.match(name)
                if dept is None:
                    if name not in unknown:
                        unknown.append(name)
                    continue
                if dept not in ids:
                    ids.append(dept)
                if marked_lead and lead is None:
                    lead = dept
        return Resolved(lead, tuple(d for d in ids if d != lead), tuple(unknown))

    def issuers(self, text: str) -> list[str]:
        """Departments named in full (``四川省人力资源和社会保障厅``) in ``text``, in order of first appearance: the
        signatures of a covering notice. Abbreviations are not used here, so the addressees (``各市(州)…发展改革委``)
        are not taken for issuers."""
        compact = re.sub(r"\s+", "", text)
        found = []
        for name, dept_id in self.full_names:
            at = compact.find(name)
            if at >= 0:
                found.append((at, dept_id))
        return [d for _, d in sorted(found)]
