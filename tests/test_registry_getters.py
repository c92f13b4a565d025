"""Every registry entry names a getter that exists."""

from __future__ import annotations

import importlib

from wmresearch.sources import DATASETS


def test_every_getter_is_importable():
    for dataset in DATASETS:
        module, _, name = dataset.getter.rpartition(".")
        assert callable(getattr(importlib.import_module(module), name)), dataset.id
