"""Stage metrics: one JSON file per stage under ``metrics/`` (read by ``dvc metrics``)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from wmresearch.files import write_text


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if hasattr(value, "item"):  # numpy / pandas scalars
        value = value.item()
    if isinstance(value, float):
        return None if not math.isfinite(value) else round(value, 6)
    return value


def write_metrics(path: Path, metrics: dict[str, Any]) -> Path:
    """Write ``metrics`` as sorted, rounded JSON so reruns give byte-identical files."""
    return write_text(Path(path), json.dumps(_clean(metrics), indent=2, sort_keys=True) + "\n")
