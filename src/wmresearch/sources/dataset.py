"""What a registered dataset is: its files, publisher, licence and how to obtain it."""

from __future__ import annotations

from dataclasses import dataclass, field

OGL = "Open Government Licence v3.0"


@dataclass(frozen=True)
class SourceFile:
    """One file of a dataset: its direct download, or the publisher file it was derived from."""

    relpath: str
    sha256_16: str
    url: str | None = None
    derived_from: str = ""


@dataclass(frozen=True)
class Dataset:
    """An official dataset and how to obtain it."""

    id: str
    title: str
    publisher: str
    landing_page: str
    files: tuple[SourceFile, ...]
    licence: str = OGL
    getter: str = ""
    notes: str = ""
    required: bool = True
    tags: tuple[str, ...] = field(default_factory=tuple)
    see_also: tuple[str, ...] = field(default_factory=tuple)

    @property
    def how_to_get(self) -> str:
        """Instructions naming every file: its direct link, or what to make it from."""
        lines = [f"{self.title} ({self.publisher}), {self.landing_page}. Save each file "
                 "under data/raw/ (or set WMRESEARCH_MIRROR to a folder holding them):"]
        for spec in self.files:
            if spec.url:
                where = f"download {spec.url}"
            elif spec.derived_from:
                where = f"from {self.landing_page}: {spec.derived_from}"
            else:
                where = f"from {self.landing_page}"
            lines.append(f"  - data/raw/{spec.relpath}: {where}")
        if self.notes:
            lines.append(f"  Note: {self.notes}")
        return "\n".join(lines)
