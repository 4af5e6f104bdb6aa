"""Import CRM and time-tracking exports as the tools write them: nothing lost, nothing doubled."""

from sales.ingest.pipeline import (
    ImportResult,
    IngestError,
    Reject,
    batch_rejects,
    import_file,
    list_batches,
    undo_batch,
)

__all__ = ["ImportResult", "IngestError", "Reject", "batch_rejects", "import_file", "list_batches", "undo_batch"]
