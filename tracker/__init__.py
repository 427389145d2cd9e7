"""Domain core of the citizenization tracker. Nothing in this package imports Streamlit: pages draw what it computes.

A figure travels plan → intake → store → progress → outputs. The packages, each importing only from those listed
before it (tests/test_layout.py holds them to it; ``i18n`` and its catalogues in ``locales/`` serve all of them,
and ``loaders/`` beside this package reads files into the model):

- ``model``: what a plan promises — the plan schema, periods, units, regions, statuses and their thresholds, the
  shape of county figures;
- ``store``: what is kept — the database, its tables and migrations, the reads and writes the rest calls, the
  current figures, demo data, backup;
- ``access``: who may do what — roles, accounts, sign-in sessions, the audit trail;
- ``review``: what the province office decides about what came in — acceptance, returns, locks;
- ``intake``: what comes in — reading a county return, the template, checks and their problems, validation rules,
  allocations, measure (工作任务) updates, and the import that records a submission;
- ``progress``: where each target stands — the engine (pure functions), snapshots, completeness, data quality,
  the red list;
- ``outputs``: what leaves — tables, cards, charts, maps, slides, the deck, the 情况汇报, workbooks;
- ``extract``: drafting a plan YAML from a policy text;
- ``cli``: the ``tracker`` command, one module per group of commands.
"""
import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: The plan files, departments and progress rules: the project's own, or an office's folder of them
#: (TRACKER_TARGETS_DIR, which must hold departments.yaml and progress.yaml beside its plans).
TARGETS_DIR = Path(os.environ.get("TRACKER_TARGETS_DIR") or PROJECT_ROOT / "targets")
DATA_DIR = PROJECT_ROOT / "data"
