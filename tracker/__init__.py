"""Domain core of the citizenization tracker: plans, storage, the progress engine, charts, i18n and the CLI.

Nothing in this package imports Streamlit: pages draw what the core computes.
"""
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TARGETS_DIR = PROJECT_ROOT / "targets"
DATA_DIR = PROJECT_ROOT / "data"
