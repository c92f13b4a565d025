# ---
# jupyter:
#   kernelspec:
#     display_name: wmresearch
#     language: python
#     name: wmresearch
# ---

# %% [markdown]
# # The evidence base: every table and its rows
#
# Each official dataset is cleaned into a validated table (see `docs/data_dictionary.md`).
# Every cleaner accounts for its rows: rows in = rows out + rows rejected. Rejected rows,
# including blank lines, are kept with a reason in `data/interim/rejects/<table>.csv`.
# *Records out* counts the tidy rows after reshaping wide year or industry columns.

# %% tags=["parameters"]
region = "E47000007"
seed = 20240601

# %% tags=["remove-cell"]
import pandas as pd
from IPython.display import Markdown, display

from wmresearch.config import Project
from wmresearch.evidence.build import build_evidence
from wmresearch.reporting import write_metrics
from wmresearch.reporting.tables import show_table
from wmresearch.sources import load_manifest

paths = Project.here().paths.ensure()
accounting = build_evidence(paths, load_manifest(paths), region, seed=seed)
acc = pd.DataFrame(accounting["tables"]).T.reset_index(names="table")

# %%
display(Markdown(f"**{len(acc)} tables** built; **{int(acc['balanced'].sum())}** balance "
                 f"their rows; {int(acc['rows_rejected'].sum()):,} rows rejected with a "
                 "reason."))
show_table(acc[["table", "source", "rows_in", "rows_out", "rows_rejected", "records_out",
                "balanced"]], formats={c: "{:,}" for c in ("rows_in", "rows_out",
                                                            "rows_rejected", "records_out")})

# %%
show_table(pd.DataFrame({"table": list(accounting["skipped"]),
                         "not built because": list(accounting["skipped"].values())})
           if accounting["skipped"] else
           pd.DataFrame({"skipped tables": ["none: every table was built"]}))

# %% tags=["remove-cell"]
assert acc["balanced"].all(), "row accounting does not balance"
write_metrics(paths.metrics / "evidence.json", accounting)
