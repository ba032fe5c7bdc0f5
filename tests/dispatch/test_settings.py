"""The dispatch core reads its rule parameters from the region files of ``regions`` — the
very files the conformance suite judges against — and only care-system settings from its
own TOML. One format, one copy."""

from __future__ import annotations

from pathlib import Path

import pytest

import regions
from conformance.profiles import PROFILES
from dispatchcore.settings import DEFAULT_FILE, SettingsError, load

ROOT = Path(__file__).resolve().parents[2]
CARE_SYSTEM = """
[care_system]
consumer_hsa_id = "SE000-TEST"
[profiles.rjl]
region = "{rjl}"
source_system = "SE000-RJL"
[profiles.vgr]
region = "vgr"
source_system = "SE000-VGR"
"""


def write_config(folder: Path, rjl: str = "rjl", region_text: str | None = None) -> Path:
    if region_text is not None:
        (folder / "own").mkdir()
        (folder / "own" / "rjl.toml").write_text(region_text, "utf-8")
    path = folder / "dispatch.toml"
    path.write_text(CARE_SYSTEM.format(rjl=rjl), "utf-8")
    return path


def test_the_engine_and_the_suite_read_the_same_region_files():
    settings = load(DEFAULT_FILE)
    for key in ("rjl", "vgr"):
        assert settings.region(key) == PROFILES[key]  # every parameter and the file's digest
        assert Path(settings.profile(key).region_file) == regions.BUILT_IN / f"{key}.toml"
    assert settings.profile("rjl").source_system == "SE2321000065-7331"


def test_no_second_copy_of_the_rule_parameters_in_the_repository():
    copies = [
        path.relative_to(ROOT)
        for folder in ("dispatchcore", "conformance", "simulator", "regions")
        for path in (ROOT / folder).rglob("*.toml")
        if "fallback_days" in path.read_text("utf-8")
    ]
    assert sorted(copies) == [Path("regions/rjl.toml"), Path("regions/vgr.toml")]


def test_a_care_system_names_its_own_region_file(tmp_path):
    text = (regions.BUILT_IN / "rjl.toml").read_text("utf-8").replace("fallback_days = 3", "fallback_days = 5")
    settings = load(write_config(tmp_path, rjl="own/rjl.toml", region_text=text))
    assert settings.region("rjl").fallback_days == 5 and settings.region("vgr").fallback_days == 3
    assert settings.consumer_hsa_id == "SE000-TEST" and settings.profile("rjl").source_system == "SE000-RJL"


@pytest.mark.parametrize(
    "rjl, region_text, field, words",
    [
        ("own/rjl.toml", "[region]\nid = 'rjl'\nname = 'x'\n[rules]\n[reporting]\n", "profiles.rjl.region", "rules."),
        ("own/none.toml", None, "profiles.rjl.region", "no region file"),
        ("skane", None, "profiles.rjl.region", "no region file"),
    ],
)
def test_a_bad_region_names_the_profile_and_the_key(tmp_path, rjl, region_text, field, words):
    with pytest.raises(SettingsError) as caught:
        load(write_config(tmp_path, rjl=rjl, region_text=region_text))
    assert caught.value.field == field and words in caught.value.message


def test_a_profile_without_its_source_system_is_refused(tmp_path):
    path = write_config(tmp_path)
    path.write_text(path.read_text("utf-8").replace('source_system = "SE000-RJL"\n', ""), "utf-8")
    with pytest.raises(SettingsError) as caught:
        load(path)
    assert caught.value.field == "profiles.rjl.source_system"
