"""The full progress table (every target × every region × status) against bare baselines run in the same process.

Measured path: what the app runs for a page (``tracker.progress.snapshot.build_snapshot``, of which the table is the core):
the counties' actuals summed in the database (``store.county_figures``, over the current figures that imports and
reviews keep, tracker/store/current.py), the allocations, and the engine's table
(``progress.progress_table``). Baselines: the same sums by one bare SQL ``GROUP BY`` over the stored values (no
newest-submission rule, no months rule, no regions, no status), and by one pandas ``groupby`` over the values
already in memory.
"""
from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, text

from tracker import store
from tracker.model.status import load_config
from tracker.progress.engine import progress_table
from tracker.progress.snapshot import build_snapshot

from .synthetic import Scale
from .timing import median_seconds

BARE_SQL = text("select target_id, region_code, sum(value) from reported_values "
                "where plan_id = :plan and period <= :month group by target_id, region_code")


def measure(engine: Engine, scale: Scale, as_of: str, runs: int, values: pd.DataFrame | None = None,
            snapshot_runs: int | None = None) -> dict:
    config = load_config()
    plan, tree, scopes = scale.plan, scale.tree, scale.scopes
    out: dict = {}

    def table() -> None:
        figures = store.county_figures(engine, plan, as_of)
        allocations = store.current_allocations(engine, plan.id)
        out["rows"] = len(progress_table(plan, tree, figures, as_of, config.thresholds, allocations, scopes))

    def snapshot() -> None:
        build_snapshot(engine, plan, tree, scopes, as_of, config)

    def bare_sql() -> None:
        with engine.connect() as conn:
            out["groups"] = len(conn.execute(BARE_SQL, {"plan": plan.id, "month": as_of}).all())

    for _ in range(3):  # warm: statements compiled, the interpreter's specialisations made, database pages cached
        table()
    result = {"backend": engine.dialect.name, "as_of": as_of, "runs": runs,
              "table_s": median_seconds(table, runs), "snapshot_s": median_seconds(snapshot, snapshot_runs or runs),
              "bare_sql_s": median_seconds(bare_sql, runs)}
    result["rows"], result["groups"] = out["rows"], out["groups"]
    result["ratio_sql"] = result["table_s"] / result["bare_sql_s"]
    if values is not None:
        def bare_pandas() -> None:
            values[values["period"] <= as_of].groupby(["target", "region"], observed=True)["value"].sum()

        result["bare_pandas_s"] = median_seconds(bare_pandas, runs)
        result["ratio_pandas"] = result["table_s"] / result["bare_pandas_s"]
    return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in result.items()}
