"""How figures are written, and the message catalogues."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tracker.i18n import catalogue, month_label, t, task_label
from tracker.model.units import axis_scale, format_percent, format_quantity, split_unit

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("value, unit, lang, text", [
    (25_000_000, "人", "zh", "2500万人"),
    (24_748_512, "人", "zh", "2474.85万人"),
    (2_206_000, "人", "zh", "220.6万人"),
    (33_000, "人", "zh", "3.3万人"),
    (1_899, "人次", "zh", "1899人次"),
    (500, "人", "zh", "500人"),
    (123_400, "人", "zh", "12.34万人"),
    (250_000_000, "元", "zh", "2.5亿元"),
    (25_000_000, "人", "en", "25 million persons"),
    (2_206_000, "人", "en", "2.21 million persons"),
    (33_000, "人", "en", "33 thousand persons"),
    (1, "人", "en", "1 person"),
    (None, "人", "zh", "—"),
    (float("nan"), "人", "en", "—"),
])
def test_figures_are_written_in_the_readers_units(value, unit, lang, text):
    assert format_quantity(value, unit, lang) == text


def test_percent_and_axis_scale():
    assert format_percent(0.7104) == "71.0%"
    assert format_percent(None) == "—"
    # cut, not rounded: a figure just short of a threshold never reads as reaching it
    assert format_percent(0.99996) == "99.9%" and format_percent(1.0) == "100.0%"
    assert format_percent(0.9499) == "94.9%" and format_percent(0.95) == "95.0%"
    assert format_percent(24_499_999 / 25_000_000) == "97.9%" and format_percent(24_500_000 / 25_000_000) == "98.0%"
    assert format_percent(1.0004, up=True) == "100.1%" and format_percent(0.5, up=True) == "50.0%"
    assert axis_scale(25_000_000, "人", "zh") == (10_000, "万人")
    assert axis_scale(33_000, "人", "zh") == (1, "人")
    assert axis_scale(25_000_000, "人", "en") == (1_000_000, "million persons")


def test_scaled_units_split_into_factor_and_base():
    assert split_unit("万人次") == (10_000, "人次")
    assert split_unit("人") == (1, "人")
    with pytest.raises(ValueError):
        split_unit("公斤")


def test_catalogues_have_the_same_keys_and_placeholders():
    zh, en = catalogue("zh"), catalogue("en")
    assert set(zh) == set(en)
    for key in zh:
        assert set(re.findall(r"{(\w+)}", zh[key])) == set(re.findall(r"{(\w+)}", en[key])), key


def test_every_message_the_code_asks_for_exists():
    used = set()
    for path in [*ROOT.glob("*.py"), *ROOT.glob("pages/*.py"), *ROOT.glob("tracker/*.py")]:
        used |= set(re.findall(r'\bt\(\s*"([a-z_]+\.[a-z_.]+)"', path.read_text(encoding="utf-8")))
    assert used, "the scan found no message keys"
    missing = used - set(catalogue("zh"))
    assert not missing


def test_labels_for_months_and_tasks():
    assert month_label("2023-06") == "2023年6月"
    assert month_label("2023-06", "en") == "Jun 2023"
    assert task_label(3, "提升技能水平") == "（三）提升技能水平"
    assert t("goal.around", "zh", amount="2500万人") == "2500万人左右"


def test_every_action_the_audit_trail_records_has_a_name_in_both_languages():
    """The audit page names each action for people; an action recorded without a label would show as its code."""
    import re

    from tests.conftest import PROJECT
    from tracker.access.audit import action_label
    from tracker.review.approval import AUDIT_ACTIONS

    source = "\n".join(p.read_text(encoding="utf-8") for p in (PROJECT / "tracker").rglob("*.py"))
    recorded = set(re.findall(r"record\(\w+, \w+, \"(\w+)\"", source)) | set(AUDIT_ACTIONS.values())
    recorded |= set(re.findall(r"record\(\w+, \w+, \"(\w+)\" if .* else \"(\w+)\"", source)[0])
    assert {"import", "explain", "return_cells", "judge", "remind", "withdraw", "close_plan", "reopen_plan"} <= recorded
    for action in sorted(recorded):
        for lang in ("zh", "en"):
            assert action_label(action, lang) != action, (action, lang)
