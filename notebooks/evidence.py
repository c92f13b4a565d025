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
# *Records out* counts the tidy rows after reshaping wide year or industry columns. Tables
# are named as in the data dictionary.

# %% tags=["parameters"]
region = "E47000007"
seed = 20240601

# %% tags=["remove-cell"]
import pandas as pd

from wmresearch.config import Project
from wmresearch.evidence import tables_available
from wmresearch.evidence.build import build_evidence
from wmresearch.reporting import number, say, show_table, write_metrics
from wmresearch.sources import load_manifest

paths = Project.here().paths.ensure()
SOURCE = "wmresearch evidence build from the publishers' files listed on the data sources page"

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
say(f"**{len(acc)} tables** built from {origin}; {len(accounting['skipped'])} not built "
    "because their datasets are missing.")

# %% [markdown]
# ## 2. Every row accounted for
#
# Rows in counts the data records read from the publisher's file; rows out the records kept
# (before reshaping); rows rejected those set aside with a reason.

# %%
totals = acc[["rows_in", "rows_out", "rows_rejected", "records_out"]].astype("int64").sum()
balanced = int(acc["balanced"].sum())
show_table(acc[["table", "contents", "rows_in", "rows_out", "rows_rejected", "records_out",
                "balanced"]].rename(columns={
               "table": "Table", "contents": "Contents", "rows_in": "Rows in",
               "rows_out": "Rows out", "rows_rejected": "Rows rejected",
               "records_out": "Records out", "balanced": "Balances"}),
           formats={c: "{:,}" for c in ("Rows in", "Rows out", "Rows rejected", "Records out")},
           caption="Rows read, kept and rejected by each cleaner", sources=[SOURCE])
say(f"{balanced} of {len(acc)} tables balance: {number(totals['rows_in'], digits=0)} rows read "
    f"= {number(totals['rows_out'], digits=0)} kept + "
    f"{number(totals['rows_rejected'], digits=0)} rejected with a reason, giving "
    f"{number(totals['records_out'], digits=0)} tidy records.")

# %% [markdown]
# ## 3. Why rows were rejected
#
# The most frequent reason in each table that rejected rows, and the share of its rejected
# rows that reason covers; the full list is in the table's rejects file.

# %%
rejects = pd.concat([pd.read_csv(paths.rejects / f"{name}.csv", dtype=str).assign(table=name)
                     for name in acc.loc[acc["rows_rejected"] > 0, "table"]]
                    or [pd.DataFrame(columns=["table", "reason"])], ignore_index=True)
reasons = (rejects.groupby(["table", "reason"]).size().rename("rows").reset_index()
           .sort_values(["table", "rows"], ascending=[True, False]))
top = reasons.groupby("table").head(1).merge(
    reasons.groupby("table")["rows"].sum().rename("rejected"), on="table")
top["share"] = top["rows"] / top["rejected"]
show_table(top[["table", "rejected", "reason", "share"]].rename(columns={
               "table": "Table", "rejected": "Rows rejected", "reason": "Most frequent reason",
               "share": "Share of rejected rows"}),
           formats={"Rows rejected": "{:,}", "Share of rejected rows": "{:.1%}"},
           caption="The most frequent reason rows were rejected, by table", sources=[SOURCE])
largest = top.nlargest(1, "rejected")
say(f"{len(top)} tables rejected rows. The most, {number(int(largest['rejected'].sum()), digits=0)}"
    f" rows of {', '.join(largest['table'])}, were rejected mostly because: "
    f"\"{', '.join(largest['reason'])}\"." if len(top) else "No table rejected any row.")

# %% [markdown]
# ## 4. Tables not built

# %%
skipped = pd.DataFrame({"Table": list(accounting["skipped"]),
                        "Not built because": list(accounting["skipped"].values())})
if len(skipped):
    show_table(skipped, caption="Tables not built in this run", sources=[SOURCE])
say(f"{len(skipped)} {'table was' if len(skipped) == 1 else 'tables were'} not built: their "
    "datasets were not found." if len(skipped) else "Every table was built.")

# %% tags=["remove-cell"]
assert acc["balanced"].all(), "row accounting does not balance"
write_metrics(paths.metrics / "evidence.json", {
    "tables_built": len(acc), "tables_balanced": balanced,
    "tables_skipped": len(skipped), **{k: int(v) for k, v in totals.items()},
    "mode": accounting["mode"], "region": accounting["region"],
    "tables": accounting["tables"], "skipped": accounting["skipped"],
})
