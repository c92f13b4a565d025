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
# Each official dataset is cleaned into a validated table, described in the project's data
# dictionary. Every cleaner accounts for its rows: rows in = rows out + rows rejected.
# Rejected rows, including blank lines, are kept with a reason in each table's rejects file.
# *Records out* counts the tidy rows after reshaping wide year or industry columns. Tables
# are described as in the data dictionary.

# %% tags=["parameters"]
region = "E47000007"
seed = 20240601

# %% tags=["remove-cell"]
import pandas as pd

from wmresearch.config import Project
from wmresearch.evidence import tables_available
from wmresearch.evidence.build import build_evidence, load_rejects
from wmresearch.reporting import number, say, show_table, write_metrics
from wmresearch.sources import load_manifest

paths = Project.here().paths.ensure()
SOURCE = "Evidence build of this project from the publishers' files listed on the data sources page"

# %% [markdown]
# ## 1. Build every table
#
# Each table's cleaner reads the publisher's file, checks it against the table's schema and
# splits its rows into kept and rejected, naming the reason for each rejected row. In demo
# mode (no official data found) the tables are synthetic and every report says so.

# %%
manifest = load_manifest(paths)
accounting = build_evidence(paths, manifest, region, seed=seed)
acc = pd.DataFrame(accounting["tables"]).T.rename_axis("table").reset_index()
catalogue = tables_available(paths).set_index("table")
acc["contents"] = acc["table"].map(catalogue["description"]).fillna("")
origin = "SYNTHETIC demonstration data" if accounting["mode"] == "demo" else "official files"
say(f"**{number(len(acc))} tables** built from {origin}; "
    f"{number(len(accounting['skipped']))} not built because their datasets are missing.")

# %% [markdown]
# ## 2. Every row accounted for
#
# Rows in counts the data records read from the publisher's file; rows out the records kept
# (before reshaping); rows rejected those set aside with a reason.

# %%
counts = ["rows_in", "rows_out", "rows_rejected", "records_out"]
totals = {k: int(v) for k, v in acc[counts].astype("int64").sum().items()}
balanced = int(acc["balanced"].sum())
shown = acc[["contents", *counts]].assign(
    balances=acc["balanced"].map({True: "yes", False: "no"})).rename(columns={
        "contents": "Table", "rows_in": "Rows in", "rows_out": "Rows out",
        "rows_rejected": "Rows rejected", "records_out": "Records out",
        "balances": "Balances"})
show_table(shown, data=shown.assign(**{"Name in the data dictionary": acc["table"]}),
           formats={c: "{:,}" for c in ("Rows in", "Rows out", "Rows rejected", "Records out")},
           caption="Rows read, kept and rejected by each cleaner", sources=[SOURCE])
say(f"{number(balanced)} of {number(len(acc))} tables balance: "
    f"{number(totals['rows_in'])} rows read = {number(totals['rows_out'])} kept + "
    f"{number(totals['rows_rejected'])} rejected with a reason, giving "
    f"{number(totals['records_out'])} tidy records.")

# %% [markdown]
# ## 3. Why rows were rejected
#
# The most frequent reason in each table that rejected rows, and the share of its rejected
# rows that reason covers; the full list is in the table's rejects file.

# %%
rejects = load_rejects(paths, list(acc.loc[acc["rows_rejected"] > 0, "table"]))
reasons = (rejects.groupby(["table", "reason"]).size().rename("rows").reset_index()
           .sort_values(["table", "rows"], ascending=[True, False]))
top = reasons.groupby("table").head(1).merge(
    reasons.groupby("table")["rows"].sum().rename("rejected"), on="table")
top["share"] = top["rows"] / top["rejected"]
top["contents"] = top["table"].map(catalogue["description"]).fillna(top["table"])
show_table(top[["contents", "rejected", "reason", "share"]].rename(columns={
               "contents": "Table", "rejected": "Rows rejected",
               "reason": "Most frequent reason", "share": "Share of rejected rows"}),
           formats={"Rows rejected": "{:,}", "Share of rejected rows": "{:.1%}"},
           caption="The most frequent reason rows were rejected, by table", sources=[SOURCE])
largest = top.nlargest(1, "rejected")
say(f"{number(len(top))} tables rejected rows. The most, "
    f"{number(int(largest['rejected'].sum()))} rows of the table "
    f"\"{largest['contents'].iloc[0].rstrip('.')}\", were rejected mostly because: "
    f"\"{largest['reason'].iloc[0]}\"." if len(top) else "No table rejected any row.")

# %% [markdown]
# ## 4. Tables not built

# %%
titles = {key: entry.get("title", key) for key, entry in manifest["datasets"].items()}
skipped = pd.DataFrame({
    "Table": [catalogue["description"].get(name, name) for name in accounting["skipped"]],
    "Datasets not acquired": [
        "; ".join(titles.get(key, key) for key in catalogue["datasets"].get(name, "").split(", ")
                  if manifest["datasets"].get(key, {}).get("status") != "ok")
        for name in accounting["skipped"]]})
if len(skipped):
    show_table(skipped, caption="Tables not built in this run, and the datasets they need",
               sources=[SOURCE])
say(f"{number(len(skipped))} {'table was' if len(skipped) == 1 else 'tables were'} not built: "
    "their datasets were not found." if len(skipped) else "Every table was built.")

# %% tags=["remove-cell"]
assert acc["balanced"].all(), "row accounting does not balance"
write_metrics(paths.metrics / "evidence.json", {
    "tables_built": len(acc), "tables_balanced": balanced,
    "tables_skipped": len(skipped), **totals,
    "mode": accounting["mode"], "region": accounting["region"],
    "tables": accounting["tables"], "skipped": accounting["skipped"],
})
