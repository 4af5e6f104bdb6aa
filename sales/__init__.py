"""Sales analytics core: rubric, lifecycle, store, ingest. No Streamlit here."""
