"""The processed evidence base, read table by table on demand (what every report reads)."""

from __future__ import annotations

import pandas as pd

from wmresearch.config import Paths


class Tables:
    """Processed evidence tables read on demand and cached; ``None`` for a table not built
    in this run (a report then says in words what it cannot show)."""

    def __init__(self, paths: Paths) -> None:
        self.paths = paths
        self._cache: dict[str, pd.DataFrame | None] = {}

    def get(self, name: str) -> pd.DataFrame | None:
        if name not in self._cache:
            path = self.paths.evidence / f"{name}.parquet"
            if not path.is_file():
                self._cache[name] = None
            elif name.endswith("boundaries"):
                # imported here: only map pages pay for geopandas
                import geopandas as gpd

                self._cache[name] = gpd.read_parquet(path)
            else:
                self._cache[name] = pd.read_parquet(path)
        return self._cache[name]
