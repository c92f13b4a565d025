"""The programme registry: what each evaluated programme is, from ``params.yaml``.

Facts (budgets, dates) come from the published sources listed in the mirror's
``reference/programmes/PROGRAMME_FACTS.md``; each programme entry in ``params.yaml`` keeps
its source note so reports can cite it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Programme:
    """An evaluated programme."""

    id: str
    name: str
    start_year: int
    funder: str = ""
    budget_gbp_m: float | None = None
    outcome: str = "gva_per_hour"
    summary: str = ""
    sources: tuple[str, ...] = field(default_factory=tuple)

    @classmethod
    def from_params(cls, entry: dict[str, Any]) -> Programme:
        known = {k: v for k, v in entry.items() if k in cls.__dataclass_fields__}
        known["sources"] = tuple(known.get("sources", ()))
        return cls(**known)


def get_programme(programmes: dict[str, dict[str, Any]], programme_id: str) -> Programme:
    """The programme ``programme_id`` from the ``programmes`` mapping in params.yaml."""
    if programme_id not in programmes:
        known = ", ".join(programmes)
        raise KeyError(f"programme {programme_id!r} is not in params.yaml (known: {known})")
    return Programme.from_params({"id": programme_id, **programmes[programme_id]})
