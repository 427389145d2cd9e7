"""Sichuan's divisions and named county sets, as copied into data/ with their provenance."""
from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

from loaders.plans import load_plans
from loaders.regions import DIVISIONS_CSV, load_divisions, load_region_set, resolve_scopes
from tracker import DATA_DIR


def test_sichuan_has_21_prefectures_and_183_counties_under_one_province():
    tree = load_divisions()
    assert tree.province.code == "510000"
    assert len(tree.level("prefecture")) == 21
    assert len(tree.level("county")) == 183
    assert all(p.parent_code == "510000" for p in tree.level("prefecture"))
    assert all(tree[c.parent_code].level == "prefecture" for c in tree.level("county"))


def test_counties_per_prefecture_match_the_provenance_note():
    tree = load_divisions()
    counts = {tree[p].short_name: n for p, n in Counter(c.parent_code for c in tree.level("county")).items()}
    assert counts["成都"] == 20 and counts["甘孜州"] == 18 and counts["凉山州"] == 17 and counts["资阳"] == 3


def test_codes_are_six_digit_text_and_short_names_unique_within_a_prefecture():
    tree = load_divisions()
    assert all(len(r.code) == 6 and r.code.isdigit() for r in tree.regions)
    for prefecture in tree.level("prefecture"):
        names = [c.short_name for c in tree.children(prefecture.code)]
        assert len(names) == len(set(names)), prefecture.name
    # the same short name in two prefectures is why names are matched within a prefecture
    assert [c.parent_code for c in tree.level("county") if c.short_name == "市中区"] == ["511000", "511100"]


def test_the_new_codes_after_2020_are_used():
    tree = load_divisions()
    assert tree["513402"].name == "会理市" and "513425" not in tree
    assert tree["510118"].name == "新津区"


def test_copied_files_are_the_ones_the_provenance_note_describes():
    note = (DIVISIONS_CSV.parent / "PROVENANCE.md").read_text(encoding="utf-8")
    for name in ("sichuan_divisions.csv", "sichuan_prefectures.geojson", "sichuan_counties.geojson"):
        digest = hashlib.sha256((DIVISIONS_CSV.parent / name).read_bytes()).hexdigest()
        assert digest in note, name


def test_boundaries_match_the_divisions():
    tree = load_divisions()
    for name, level in (("sichuan_prefectures.geojson", "prefecture"), ("sichuan_counties.geojson", "county")):
        features = json.loads((DIVISIONS_CSV.parent / name).read_text(encoding="utf-8"))["features"]
        assert {str(f["properties"]["adcode"]) for f in features} == {r.code for r in tree.level(level)}


def test_key_assistance_counties_are_a_marked_demo_list_of_real_counties():
    region_set = load_region_set("key_assistance_counties")
    tree = load_divisions()
    assert region_set.demo is True
    assert "示例" in region_set.name_zh
    assert all(tree[c].level == "county" for c in region_set.counties)
    plan = load_plans()["sichuan-2023-citizenization"]
    assert resolve_scopes(plan) == {"key_area_skill_training": list(region_set.counties)}


def test_nothing_in_the_project_reads_the_shared_folder():
    root = DATA_DIR.parent
    for path in [*root.glob("*.py"), *root.glob("tracker/**/*.py"), *root.glob("loaders/*.py"),
                 *root.glob("pages/*.py"), *root.glob("tests/*.py"), root / "Makefile", root / ".ci" / "run"]:
        if path.resolve() == Path(__file__).resolve():
            continue
        assert "shared/" not in path.read_text(encoding="utf-8"), path
