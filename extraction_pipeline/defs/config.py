"""Run config of the assets, as the Launchpad shows it. A field that is also a setting (see
settings.py) overrides it for the run when set; left unset, the environment or the default decides."""

from typing import Optional

import dagster as dg
from pydantic import Field

from extraction_pipeline.doctypes.packs import AUTO
from extraction_pipeline.documents.reading import ReadLimits
from extraction_pipeline.quality.evaluation import MARGIN_DEFAULT


class InboxConfig(dg.Config):
    inbox: Optional[str] = Field(default=None, description="folder to read; default $EXTRACTION_INBOX or data/inbox")
    paths: Optional[list[str]] = Field(
        default=None, description="only these files of the inbox, e.g. to re-run one document"
    )
    max_file_bytes: int = Field(default=ReadLimits.max_bytes, description="larger files are rejected")
    max_pages: int = Field(default=ReadLimits.max_pages, description="PDFs with more pages are rejected")
    max_text_chars: int = Field(default=ReadLimits.max_text_chars, description="a document with more text is rejected")
    max_seconds_per_document: float = Field(
        default=ReadLimits.max_seconds,
        description="reading a document's text longer than this rejects it (OCR not counted)",
    )
    max_ocr_pages: int = Field(
        default=ReadLimits.max_ocr_pages, description="a document with more pages to read by OCR is rejected"
    )

    def limits(self) -> ReadLimits:
        return ReadLimits(
            self.max_file_bytes, self.max_pages, self.max_text_chars, self.max_seconds_per_document, self.max_ocr_pages
        )


class ExtractionConfig(dg.Config):
    document_type: str = Field(
        default=AUTO,
        description="'auto' (an inbox subfolder named like a type, else printed markers: receipt, invoice, or other, "
        "which is quarantined) or a type's name: receipt, invoice, transaction, or one of your packs",
    )
    document_types_dir: Optional[str] = Field(
        default=None, description="folder of your own document-type packs; default $EXTRACTION_DOCUMENT_TYPES_DIR"
    )
    max_reasks: int = Field(default=2, description="re-asks after an invalid answer, per document")
    token_budget_per_document: Optional[int] = Field(
        default=None,
        description="no re-ask once a document has used this many tokens; default $EXTRACTION_DOC_BUDGET_TOKENS or 6000",
    )
    cost_budget_per_document_usd: Optional[float] = Field(
        default=None, description="the same in USD; default $EXTRACTION_DOC_BUDGET_USD"
    )
    run_budget_tokens: Optional[int] = Field(
        default=None,
        description="stop calling the LLM after this many tokens in the run; default $EXTRACTION_RUN_BUDGET_TOKENS",
    )
    run_budget_usd: Optional[float] = Field(
        default=None, description="the same in USD; default $EXTRACTION_RUN_BUDGET_USD"
    )
    reuse_near_duplicates: Optional[bool] = Field(
        default=None,
        description="let a near copy of an extracted document take its answer when all of it is in the copy; default $EXTRACTION_NEAR_DUPLICATES (off)",
    )
    near_duplicate_threshold: Optional[float] = Field(
        default=None,
        description="similarity for a near copy; default 0.97 (cosine) with an embedding model, else 0.9 (word 3-gram Jaccard)",
    )
    grounding: bool = Field(
        default=True, description="look up every value in the document; re-ask when it is not there"
    )
    complete_from_layout: bool = Field(
        default=True,
        description="let a pack's complete hook take values from the page: a name or address the model cut short, an invoice's totals from its tax summary (the model's own value is kept in model_values)",
    )
    quarantine_ungrounded: Optional[list[str]] = Field(
        default=None,
        description="fields to quarantine (not just flag) when their value is not in the document, fails a check, or is still invalid after the re-asks; default $EXTRACTION_QUARANTINE_UNGROUNDED",
    )
    ocr_min_confidence: Optional[float] = Field(
        default=None,
        description="flag a value read with OCR when a character of it was read less confidently than this; default $EXTRACTION_OCR_MIN_CONFIDENCE or 0.5",
    )
    send_page_images: Optional[bool] = Field(
        default=None,
        description="send scans' page images with their OCR text (a model that reads images); default $EXTRACTION_SEND_PAGE_IMAGES (off)",
    )
    max_part_chars: Optional[int] = Field(
        default=None,
        description="extract a longer document in parts of at most this many characters; default $EXTRACTION_MAX_PART_CHARS or 12000",
    )
    max_concurrency: Optional[int] = Field(
        default=None,
        description="parallel LLM calls; default $EXTRACTION_MAX_CONCURRENCY, else 8 (1 for the embedded server)",
    )


class ReportConfig(dg.Config):
    gold_path: Optional[str] = Field(
        default=None,
        description="gold labels (JSONL); default $EXTRACTION_GOLD, else gold.jsonl in the inbox when present",
    )


class EvaluationConfig(dg.Config):
    gold_path: Optional[str] = Field(
        default=None, description="gold labels (JSONL); default $EXTRACTION_GOLD or gold.jsonl in the inbox"
    )
    margin: float = Field(
        default=MARGIN_DEFAULT, description="largest accepted drop per field below the last accepted evaluation"
    )
