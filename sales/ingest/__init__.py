"""Import CRM and time-tracking exports as the tools write them: nothing lost, nothing doubled."""

from sales.ingest.batches import batch_rejects, list_batches, undo_batch
from sales.ingest.pipeline import import_file
from sales.ingest.results import ImportResult, IngestError, Reject

__all__ = ["ImportResult", "IngestError", "Reject", "batch_rejects", "import_file", "list_batches", "undo_batch"]
