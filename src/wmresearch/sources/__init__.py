"""Official open data: what each dataset is, where it comes from, and how to get it."""

from wmresearch.sources.acquire import Resolution, acquire, load_manifest, resolve_path
from wmresearch.sources.registry import DATASETS, Dataset, SourceFile, get_dataset

__all__ = [
    "DATASETS",
    "Dataset",
    "Resolution",
    "SourceFile",
    "acquire",
    "get_dataset",
    "load_manifest",
    "resolve_path",
]
