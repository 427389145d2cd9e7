"""Import of a county return: a 183-county Sichuan workbook and a 2,850-row national-size workbook, each against a
bare read of the same file with the same library (python-calamine, which the reader uses for cell values)."""
from __future__ import annotations

import io
import random
import tempfile
from datetime import date
from pathlib import Path

import openpyxl
import python_calamine

from loaders.plans import load_plans
from loaders.regions import load_divisions, resolve_scopes
from tracker.intake.submissions import import_file
from tracker.intake.template import build_template
from tracker.model.regions import Region, RegionTree
from tracker.model.status import load_config
from tracker.store import sync_reference
from tracker.store.db import get_engine, migrate

from .timing import median_seconds

PLAN_ID = "sichuan-2023-citizenization"


def national_tree(counties: int = 2850) -> RegionTree:
    """A synthetic division list of national size: one province, one prefecture, ``counties`` counties."""
    regions = [Region("990000", "合成省", "合成", "province", None),
               Region("990100", "合成市", "合成市", "prefecture", "990000")]
    regions += [Region(f"98{i:04d}", f"合成第{i}县", f"合成第{i}县", "county", "990100") for i in range(1, counties + 1)]
    return RegionTree(tuple(regions))


def filled_workbook(template: bytes, rows: int, targets: int, seed: int = 7) -> bytes:
    """The template with every input cell filled with a plausible figure (the 转移就业 level above its 脱贫 part)."""
    rng = random.Random(seed)
    book = openpyxl.load_workbook(io.BytesIO(template))
    sheet = book["数据"]
    for r in range(6, 6 + rows):
        sheet.cell(r, 3, rng.randint(50_000, 200_000))
        sheet.cell(r, 4, rng.randint(1_000, 20_000))
        for c in range(5, 3 + targets):
            if sheet.cell(r, c).value != "—":
                sheet.cell(r, c, rng.randint(0, 500))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def bare_read_calamine(data: bytes) -> None:
    """What the reader itself uses for cell values: every cell of every sheet, nothing else."""
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    for name in book.sheet_names:
        book.get_sheet_by_name(name).to_python(skip_empty_area=False)


def bare_read_openpyxl(data: bytes) -> None:
    """The usual pure-Python way: openpyxl reading every cell's value (read-only mode, cached values)."""
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    for sheet in book.worksheets:
        for _ in sheet.iter_rows(values_only=True):
            pass
    book.close()


def _case(name: str, tree: RegionTree, prefecture: str | None, scopes: dict, rows: int, runs: int) -> dict:
    plan = load_plans()[PLAN_ID]
    template = build_template(plan, tree, "2023-06", prefecture, scopes)
    data = filled_workbook(template, rows, len(plan.targets))
    checks = load_config().checks
    workdir = Path(tempfile.mkdtemp(prefix="bench-import-"))
    state = {"n": 0}

    def fresh_database() -> None:
        state["n"] += 1
        engine = get_engine(f"sqlite:///{workdir / ('db%d.sqlite' % state['n'])}")
        migrate(engine)
        sync_reference(engine, {plan.id: plan}, tree)
        state["engine"] = engine

    def work() -> None:
        outcome = import_file(state["engine"], data, f"{name}.xlsx", plan, tree, scopes, checks, uploader="bench",
                              period="2023-06", prefecture=prefecture, today=date(2026, 11, 23), preview=False)
        assert outcome.status == "imported", [p.as_dict() for p in outcome.problems[:3]]
        state["values"] = outcome.values

    imported = median_seconds(work, runs, setup=fresh_database)
    calamine = median_seconds(lambda: bare_read_calamine(data), runs)
    pure = median_seconds(lambda: bare_read_openpyxl(data), runs)
    return {"case": name, "rows": rows, "values": state["values"], "bytes": len(data), "runs": runs,
            "import_s": round(imported, 4), "bare_read_s": round(calamine, 4), "ratio": round(imported / calamine, 1),
            "bare_read_openpyxl_s": round(pure, 4), "ratio_openpyxl": round(imported / pure, 2)}


def run(quick: bool = False) -> list[dict]:
    runs = 2 if quick else 5
    plan = load_plans()[PLAN_ID]
    sichuan = load_divisions()
    results = [_case("sichuan-183-counties", sichuan, None, resolve_scopes(plan), 183, runs)]
    national = national_tree(300 if quick else 2850)
    results.append(_case(f"national-{len(national.level('county'))}-rows", national, "990100", {},
                         len(national.level("county")), runs))
    return results
