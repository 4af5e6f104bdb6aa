"""What an import reports: its counts, its rejected rows by line, and the error for a file that cannot be
read at all. A module of its own so that every step of the importer can use them."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


class IngestError(ValueError):
    """The file cannot be imported at all; nothing was written. The message names the file."""


@dataclass(frozen=True)
class Reject:
    line: int | None
    column: str | None
    reason: str
    raw: str | None = None


@dataclass
class ImportResult:
    file: str
    batch: int | None
    kind: str
    format: str
    rows_read: int = 0
    imported: int = 0
    duplicates: int = 0
    updated: int = 0  # leads already stored that the file changed (stage, status, amount, levels, facts)
    rejected: int = 0
    hours: float | None = None
    skipped: int = 0  # footer and total rows, not data
    stale: int = 0  # CRM rows older than what the store holds: not applied
    stale_lines: list[tuple[int, str]] = field(default_factory=list)
    encoding: str = "UTF-8"  # the file's own, as decided from its bytes
    columns: dict[str, str] = field(default_factory=dict)  # canonical field → the file's column it came from
    ignored: list[str] = field(default_factory=list)  # the file's columns nothing was read from
    rejects: list[Reject] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unmapped_stages: dict[str, int] = field(default_factory=dict)
    already_imported: int | None = None  # the batch that holds this very file, when it adds nothing new

    @property
    def records(self) -> int:
        """Every record of the file: imported + updated + duplicates + stale + rejected + skipped."""
        return self.rows_read + self.skipped

    @property
    def problem(self) -> str | None:
        """Why nothing of the file is in the store, when that is so (the import then counts as failed)."""
        if self.rows_read == 0:
            return "nothing imported: the file has no data rows"
        if self.imported + self.updated + self.duplicates + self.stale == 0:
            return "nothing imported: every row was rejected"
        return None

    def to_json(self) -> dict:
        out = asdict(self)
        out["rejects"] = [{"line": r.line, "column": r.column, "reason": r.reason} for r in self.rejects]
        out["records"] = self.records
        out["status"] = "nothing imported" if self.problem else "imported"
        out["problem"] = self.problem
        return out


