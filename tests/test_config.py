"""Project configuration: root discovery, stage parameters, mirror and packaging files."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO
from wmresearch.config import Project, SettingsError, find_root, mirror_dir


def test_find_root_walks_up_to_params_and_dvc(tmp_path, monkeypatch):
    monkeypatch.delenv("WMRESEARCH_ROOT", raising=False)
    (tmp_path / "params.yaml").write_text("global: {region: X}\n")
    (tmp_path / "dvc.yaml").write_text("stages: {}\n")
    nested = tmp_path / "notebooks" / "deep"
    nested.mkdir(parents=True)
    assert find_root(nested) == tmp_path.resolve()


def test_stage_params_merge_global_then_section(tmp_path):
    (tmp_path / "params.yaml").write_text(
        "global: {region: E47000007, seed: 1}\nclusters: {seed: 2, top_n: 5}\n")
    params = Project(tmp_path).stage_params("clusters")
    assert params == {"region": "E47000007", "seed": 2, "top_n": 5}


def test_mistyped_mirror_is_an_error_naming_it(tmp_path, monkeypatch):
    monkeypatch.setenv("WMRESEARCH_MIRROR", str(tmp_path / "absent"))
    with pytest.raises(SettingsError, match="absent.*not a folder"):
        mirror_dir(tmp_path)
    monkeypatch.setenv("WMRESEARCH_MIRROR", str(tmp_path))
    assert mirror_dir(tmp_path) == tmp_path.resolve()
    monkeypatch.setenv("WMRESEARCH_MIRROR", "")
    assert mirror_dir(tmp_path) is None


def test_local_settings_name_the_mirror_once(tmp_path, monkeypatch):
    monkeypatch.delenv("WMRESEARCH_MIRROR", raising=False)
    (tmp_path / "mirror").mkdir()
    (tmp_path / "wmresearch.local.yaml").write_text("mirror: mirror\n")
    assert mirror_dir(tmp_path) == (tmp_path / "mirror").resolve()
    (tmp_path / "wmresearch.local.yaml").write_text("mirror: nowhere\n")
    with pytest.raises(SettingsError, match="wmresearch.local.yaml"):
        mirror_dir(tmp_path)
    assert "wmresearch.local.yaml" in (REPO / ".gitignore").read_text()


def test_every_notebook_parameter_has_a_params_yaml_key_or_default():
    params = yaml.safe_load((REPO / "params.yaml").read_text())
    dvc = yaml.safe_load((REPO / "dvc.yaml").read_text())
    for name, stage in dvc["stages"].items():
        stage = stage.get("do", stage)
        if "wmresearch run" not in stage["cmd"]:
            continue
        section = re.search(r"--stage (\w+)", stage["cmd"]).group(1)
        script = REPO / stage["cmd"].split()[2]
        assert script.is_file(), f"stage {name}: {script} missing"
        text = script.read_text()
        cell = text.split('# %% tags=["parameters"]')[1].split("# %%")[0]
        declared = set(re.findall(r"^(\w+)\s*=", cell, flags=re.MULTILINE))
        unknown = set(params.get(section) or {}) - declared
        assert not unknown, f"params.yaml {section} keys {unknown} not in {script.name}"


def test_environment_yml_mirrors_pyproject_pins():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    pins = set(project["dependencies"]) | {
        dep for extra in project["optional-dependencies"].values() for dep in extra}
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert pins == {p for p in pip if not p.startswith("-e")}


def test_ci_calls_the_readme_test_command():
    readme = (REPO / "README.md").read_text()
    assert "make test" in readme and "make repro" in readme
    assert "make test" in (REPO / ".ci" / "run").read_text()
    assert Path(REPO / "Makefile").read_text().count("ipykernel install") == 1
