"""Upload: drop exports, see what they are and what would happen, then import; history with undo."""

from pathlib import Path

import pandas as pd
import streamlit as st

import shell
from sales import uploads
from sales.ingest import IngestError, batch_rejects, import_file, list_batches, mappings, undo_batch
from sales.ingest.batches import undo_refusal
from sales.ingest.describe import describe
from sales.ingest.explain import explain_header
from sales.ingest.formats import FILE_KINDS as KINDS
from sales.ingest.formats import mapping_fields
from sales.undo_text import undo_sentence

shell.routed()
who = shell.actor()

st.title("Upload exports")
st.caption("CRM exports (HubSpot, Pipedrive, Salesforce, Zoho, Odoo), time exports (Tempo, Jira, Toggl, "
           "Clockify, Harvest, Kimai, FreshBooks), budgets, or this project's own templates, as CSV or as a "
           "spreadsheet (.xlsx, .xls: pick the sheet when there are several). Nothing is "
           "written until you press Import; a file with problems still imports its good rows, and every "
           "bad row is listed with its line.")

files = st.file_uploader("CSV files or spreadsheets", type=["csv", "tsv", "txt", "xlsx", "xlsm", "xls", "ods"],
                         accept_multiple_files=True, key="upload")
if "upload_dir" not in st.session_state or not Path(st.session_state["upload_dir"]).is_dir():
    st.session_state["upload_dir"] = str(uploads.new_workdir())
workdir = Path(st.session_state["upload_dir"])
current = {uploads.upload_path(workdir, f.file_id, f.name): f for f in files or []}
for gone in uploads.keep_only(workdir, set(current)):  # removed from the uploader: drop copy and preview
    st.session_state.get("previews", {}).pop(str(gone), None)


def saved(upload) -> Path:
    """DuckDB reads files, not buffers: keep each upload on disk under its own name."""
    path = uploads.upload_path(workdir, upload.file_id, upload.name)
    if not path.exists():
        path.write_bytes(upload.getvalue())
    return path


def mapping_form(view, key: str) -> dict | None:
    """Name the columns of an unknown layout, starting from the proposal; saved once imported."""
    st.warning(f"{shell.plain(view.name)}: the header matches no known layout. Check the proposed columns "
               "(from their names and values) and import: the next file with these columns is recognised.")
    proposal = view.proposal or {"kind": KINDS[0], "columns": {}}
    kind = st.selectbox("What does the file hold?", KINDS, index=KINDS.index(proposal["kind"]), key=f"{key}_kind")
    guessed = proposal["columns"] if kind == proposal["kind"] else {}
    columns = {}
    cols = st.columns(3)
    options = ["—"] + view.header
    for i, (field, required) in enumerate(mapping_fields(kind)):
        label = field.replace("level:", "").replace("fact:", "").replace("_", " ") + (" *" if required else "")
        with cols[i % 3]:
            picked = st.selectbox(label, options, index=options.index(guessed.get(field, "—")),
                                  key=f"{key}_{kind}_{field}")
        if picked != "—":
            columns[field] = picked
    missing = [f for f, req in mapping_fields(kind) if req and f not in columns]
    if missing:
        st.caption(f"Still needed: {', '.join(missing)}")
        return None
    return {"kind": kind, "columns": columns}


def previewed(path: Path, mapping: dict | None, name: str, sheet: str | None):
    """The dry run, kept per file, mapping and store state: a large file is read once, not every rerun.

    Only the latest preview of each file is kept, so the session does not grow with every import.
    """
    key = (repr(mapping), sheet, shell.data_version())
    cache = st.session_state.setdefault("previews", {})
    if cache.get(str(path), (None, None))[0] != key:
        with st.spinner(f"Checking {name}…"):
            cache[str(path)] = key, import_file(shell.store(), who, path, mapping=mapping, name=name, dry_run=True,
                                                sheet=sheet)
    return cache[str(path)][1]


def undo(batch: int) -> None:
    """The confirmed undo: what it did is the sentence the person just agreed to."""
    st.session_state.pop("undo_asked", None)
    try:
        undo_batch(shell.store(), who, batch)
    except IngestError as e:
        st.session_state["undo_problem"] = str(e)
        return
    except shell.REFUSED as e:
        shell.refused(e)
        return
    st.session_state["undo_message"] = f"Batch {batch} undone."


if "undo_message" in st.session_state:
    st.success(st.session_state.pop("undo_message"))
if "undo_problem" in st.session_state:
    st.error(shell.plain(st.session_state.pop("undo_problem")))

def show_file(n: int, upload) -> None:
    """One uploaded file: what it is, what importing it would do, and the import button."""
    path = saved(upload)
    key = f"f{n}_{upload.file_id}"
    view = describe(path, upload.name, st.session_state.get(f"{key}_sheet"))
    st.markdown(f"**{shell.plain(upload.name)}** · {uploads.human_size(upload.size)}")
    if len(view.sheets) > 1:  # a workbook of several sheets: the first is read unless another is chosen
        st.selectbox("Sheet", view.sheets, key=f"{key}_sheet")
    known = shell.query(mappings.find, tuple(view.header)) if view.needs_mapping else None
    why = explain_header(view.header, view.name, saved=known).lines() if known else view.explanation
    if why:
        with st.expander("Why this layout"):
            st.text("\n".join(why))
    if view.problem:
        st.error(shell.plain(view.problem))
        return
    mapping = None
    if known is not None:  # import_file finds it by the header too
        st.markdown(f"Recognised: **saved {known['kind']} mapping** (by {shell.plain(known['saved_by'])}, "
                    f"{known['saved_at']:%Y-%m-%d})")
    elif view.needs_mapping:
        mapping = mapping_form(view, key)
        if mapping is None:
            return
    else:
        st.markdown(f"Detected: **{view.label}** ({view.kind})")
        if view.unused:
            st.caption(shell.plain(f"Columns not used: {', '.join(view.unused)}"))
    try:
        preview = previewed(path, mapping, upload.name, view.sheet)
    except IngestError as e:
        st.error(shell.plain(e))
        return
    st.caption(shell.plain(f"Columns used: {', '.join(dict.fromkeys(preview.columns.values()))}"
                           + (f" · read as {preview.encoding} text" if preview.encoding != "UTF-8" else "")))
    cols = st.columns(6)
    cols[0].metric("Records", f"{preview.records:,}", help="New + already there + with problems + skipped.")
    cols[1].metric("New", f"{preview.imported:,}")
    cols[2].metric("Already there", f"{preview.duplicates:,}")
    cols[3].metric("With problems", f"{preview.rejected:,}")
    cols[4].metric("Skipped", f"{preview.skipped:,}",
                   help="Report footers, total lines and a grouped export's group rows: not data.")
    if preview.hours is not None:
        cols[5].metric("Hours", f"{preview.hours:,.2f}")
    elif preview.kind == "leads":
        cols[5].metric("Updated", f"{preview.updated:,}", help="Leads already stored whose stage, status, "
                       "amount, levels or gate facts this file changes; undo puts them back.")
    if preview.problem:
        st.warning(preview.problem.capitalize() + ".")
    for w in preview.warnings:
        st.warning(shell.plain(w))
    if preview.stale:
        st.warning(shell.plain(f"{preview.stale:,} rows are older than what the store holds and will not be applied: "
                               + "; ".join(f"line {n}: {why}" for n, why in preview.stale_lines[:5])
                               + ("…" if preview.stale > 5 else "")))
    if preview.unmapped_stages:
        st.warning(shell.plain("Stages not in data/stage_map.toml (kept on the lead as its CRM stage): "
                               + ", ".join(f"{k} ({v})" for k, v in preview.unmapped_stages.items())))
    if preview.rejects:
        where = "row" if view.sheet else "line"  # a spreadsheet's rows are numbered as the spreadsheet shows them
        shell.table(pd.DataFrame([{where: r.line, "column": r.column, "problem": r.reason}
                                  for r in preview.rejects]))
    nothing_new = preview.imported + preview.updated == 0
    if st.button(f"Import {shell.plain(upload.name)}", key=f"{key}_go", type="primary", disabled=nothing_new):
        bar = st.progress(0.0, text="Starting…")
        try:
            r = import_file(shell.store(), who, path, mapping=mapping, name=upload.name, sheet=view.sheet,
                            progress=lambda frac, msg, bar=bar: bar.progress(min(frac, 1.0), text=msg))
        except IngestError as e:
            st.error(shell.plain(e))
        except shell.REFUSED as e:
            st.error(shell.refusal(e))
        else:
            updated = f"{r.updated:,} updated, " if r.kind == "leads" else ""
            st.success(f"Batch {r.batch}: {r.imported:,} imported, {updated}{r.duplicates:,} already there, "
                       f"{r.rejected:,} with problems kept for review.")


for n, upload in enumerate(files or []):
    with st.container(border=True):
        try:
            show_file(n, upload)
        except shell.REFUSED as e:  # the preview is refused too once the role is gone
            st.error(shell.refusal(e))
        except Exception as e:  # one unreadable file never stops the page, the other files or the history
            shell.log_error(e)
            st.error(shell.plain(f"{upload.name}: cannot be read ({type(e).__name__}). Nothing was written; "
                                 "the other files are not affected."))

st.subheader("Import history")
batches = shell.query(list_batches)
if batches.empty:
    st.caption("No imports yet.")
else:
    shell.table(batches.drop(columns=["sha256"]),
                labels={"imported_by": "By", "imported_at": "When", "rows_read": "Records"})
    left, right = st.columns(2)
    with left:
        batch = st.selectbox("Batch", batches["batch"].tolist(), key="hist_batch",
                             format_func=lambda b: f"{b} · {batches.set_index('batch').loc[b, 'file']}")
    refused = shell.query(undo_refusal, who, int(batch))  # the undo's own rule, asked before it is offered
    with right:
        st.write("")
        st.button("Undo this import", key="undo", icon=":material/undo:", on_click=st.session_state.update,
                  kwargs={"undo_asked": int(batch)}, disabled=refused is not None)
    if refused is not None:
        st.warning(shell.plain(f"Batch {batch} cannot be undone: {refused}"), icon=":material/block:")
    elif st.session_state.get("undo_asked") == int(batch):  # a confirm step: the sentence, then yes or no
        sentence = shell.query(undo_sentence, int(batch), shell.today())
        with st.container(border=True):
            st.warning(shell.plain(sentence or f"Batch {batch} is no longer in the store."), icon=":material/undo:")
            yes, no = st.columns(2)
            yes.button("Yes, undo it", key="undo_yes", type="primary", on_click=undo, args=(int(batch),),
                       disabled=sentence is None)
            no.button("Cancel", key="undo_no", on_click=st.session_state.pop, args=("undo_asked", None))
    rejects = shell.query(batch_rejects, int(batch))
    if len(rejects):
        st.markdown(f"**Rows with problems in batch {batch}**")
        shell.table(rejects, f"batch-{batch}-problems.csv")
