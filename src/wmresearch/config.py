"""Project paths, parameters and the open-data mirror, read in one place.

Everything that locates a file or reads ``params.yaml`` goes through this module so that
notebooks, the command line and tests agree on where things live.

The mirror of official open data is named by ``$WMRESEARCH_MIRROR`` or, so that JupyterLab
sessions and ``dvc repro`` see the same data without exporting anything, by ``mirror:`` in
the git-ignored ``wmresearch.local.yaml`` at the project root (the environment variable
wins). A mirror that is named but is not a folder is an error, never a silent fallback to
the synthetic demo.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

MIRROR_ENV = "WMRESEARCH_MIRROR"
LOCAL_SETTINGS = "wmresearch.local.yaml"
ROOT_ENV = "WMRESEARCH_ROOT"
OFFLINE_ENV = "WMRESEARCH_OFFLINE"


def find_root(start: Path | None = None) -> Path:
    """Return the project root: ``$WMRESEARCH_ROOT``, else the nearest folder up from
    ``start`` (default: the working directory) holding ``params.yaml``, else ``start``."""
    if os.environ.get(ROOT_ENV):
        return Path(os.environ[ROOT_ENV]).resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "params.yaml").is_file() and (folder / "dvc.yaml").is_file():
            return folder
    return here


@dataclass(frozen=True)
class Paths:
    """Folders of one project checkout (all under ``root``)."""

    root: Path

    @property
    def raw(self) -> Path:
        return self.root / "data" / "raw"

    @property
    def interim(self) -> Path:
        return self.root / "data" / "interim"

    @property
    def processed(self) -> Path:
        return self.root / "data" / "processed"

    @property
    def evidence(self) -> Path:
        return self.processed / "evidence"

    @property
    def rejects(self) -> Path:
        return self.root / "data" / "interim" / "rejects"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def metrics(self) -> Path:
        return self.root / "metrics"

    @property
    def notebooks(self) -> Path:
        return self.root / "notebooks"

    @property
    def manifest(self) -> Path:
        return self.raw / "manifest.json"

    def ensure(self) -> Paths:
        for folder in (self.raw, self.interim, self.evidence, self.rejects,
                       self.reports, self.metrics):
            folder.mkdir(parents=True, exist_ok=True)
        return self


@dataclass(frozen=True)
class Project:
    """A checkout: its paths, its ``params.yaml`` and its programme registry."""

    root: Path

    @classmethod
    def here(cls, start: Path | None = None) -> Project:
        return cls(find_root(start))

    @property
    def paths(self) -> Paths:
        return Paths(self.root)

    @cached_property
    def params(self) -> dict[str, Any]:
        """``params.yaml`` with the programme registry (``programmes.yaml``: the sections
        ``programmes`` and ``mayoral_devolution``) merged in."""
        return {**load_params(self.root / "params.yaml"), **load_registry(self.root)}

    def stage_params(self, stage: str) -> dict[str, Any]:
        """Parameters a stage's notebook receives: the global keys plus its own section."""
        params = self.params
        merged = {k: v for k, v in params.get("global", {}).items()}
        merged.update(params.get(stage, {}) or {})
        return merged


#: libyaml's loader where PyYAML was built with it (ten times faster on params.yaml)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(path: Path) -> dict[str, Any]:
    """Read a YAML mapping (``params.yaml``, ``dvc.yaml``); an absent file gives ``{}``."""
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_LOADER) or {}


def load_params(path: Path) -> dict[str, Any]:
    """Read a ``params.yaml``; an absent file gives an empty mapping."""
    return load_yaml(path)


#: The programme registry, beside ``params.yaml``: kept apart so that DVC, which reads
#: ``params.yaml`` once for every parameter a stage depends on, parses 70 lines, not 600.
REGISTRY = "programmes.yaml"


def load_registry(root: Path) -> dict[str, Any]:
    """Read the programme registry ``programmes.yaml`` of the project at ``root``
    (``programmes``: one entry per evaluated programme; ``mayoral_devolution``); an absent
    file gives an empty mapping."""
    return load_yaml(root / REGISTRY)


class SettingsError(ValueError):
    """A project setting (environment variable, local settings file) that cannot be used."""


def local_settings(root: Path | None = None) -> dict[str, Any]:
    """``wmresearch.local.yaml`` at the project root (git-ignored), or an empty mapping."""
    path = (root or find_root()) / LOCAL_SETTINGS
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise SettingsError(f"{path}: expected a mapping such as 'mirror: ../shared/data'")
    return data


def mirror_dir(root: Path | None = None) -> Path | None:
    """The open-data mirror: ``$WMRESEARCH_MIRROR``, else ``mirror:`` in the local settings.

    An empty variable means "no mirror". Relative paths in the settings file are relative to
    the project root.

    Raises
    ------
    SettingsError
        If a mirror is named but is not an existing folder (a typo would otherwise fall back
        to demo data without a word).
    """
    root = root or find_root()
    value = os.environ.get(MIRROR_ENV)
    origin = f"${MIRROR_ENV}"
    if value is None:
        value = local_settings(root).get("mirror")
        origin = f"'mirror' in {root / LOCAL_SETTINGS}"
        if value is not None:
            value = str(root / Path(str(value)).expanduser())
    if not value:
        return None
    path = Path(value).expanduser().resolve()
    if not path.is_dir():
        raise SettingsError(f"{origin} names {value!r}, which is not a folder: fix the path, "
                            f"or unset it to use data/raw/ and downloads")
    return path


def offline() -> bool:
    """True when downloads are switched off (``WMRESEARCH_OFFLINE=1``)."""
    return os.environ.get(OFFLINE_ENV, "").lower() in {"1", "true", "yes"}

