"""Lazy public names for a package (PEP 562): ``import wmresearch.colocation as co;
co.k_density`` imports :mod:`wmresearch.colocation.kdensity` on first use, and only it.

A package lists its public names in a module-level dict literal ``_EXPORTS`` (name ->
submodule, relative to the package) and calls :func:`attach`. Importing the package imports
none of its submodules, so a DVC stage still depends only on the modules it runs:
:mod:`wmresearch.pipeline` reads the same ``_EXPORTS`` literal (without importing anything) to
follow ``from wmresearch.colocation import k_density`` or ``co.k_density`` to
``kdensity.py``. ``_EXPORTS`` must therefore stay a literal of strings.

Where a function shares its module's name (``matching`` in ``evaluation/matching.py``), the
import system would bind the package attribute to the module as soon as that module is
imported by anyone; the package's class therefore keeps the function there, so
``from wmresearch.evaluation import matching`` is always the function (the module stays
reachable as ``from wmresearch.evaluation.matching import ...``).
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable
from typing import Any


class _Package(types.ModuleType):
    """A package whose public functions win over same-named submodules."""

    def __setattr__(self, name: str, value: Any) -> None:
        exports = self.__dict__.get("_EXPORTS", {})
        if isinstance(value, types.ModuleType) and exports.get(name) == name \
                and hasattr(value, name):
            value = getattr(value, name)
        super().__setattr__(name, value)


def attach(package: str, exports: dict[str, str],
           ) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The module ``__getattr__`` and ``__dir__`` of ``package`` for its lazy ``exports``.

    Parameters
    ----------
    package
        The package's ``__name__``.
    exports
        Public name -> submodule holding it, relative to ``package`` (``"kdensity"``).

    Returns
    -------
    tuple
        ``(__getattr__, __dir__)``: the first imports the submodule of a public name on first
        access and raises :class:`AttributeError` for any other name (so that ``from package
        import submodule`` still falls back to importing the submodule); the second lists the
        public names for ``dir()`` and tab completion.
    """
    sys.modules[package].__class__ = _Package

    def __getattr__(name: str) -> Any:
        if name not in exports:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module = importlib.import_module(f"{package}.{exports[name]}")
        return getattr(module, name)

    def __dir__() -> list[str]:
        return sorted(exports)

    return __getattr__, __dir__
