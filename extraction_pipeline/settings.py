"""Every setting of the pipeline in one typed object, so there is one place to look them up.

A setting's value comes from Dagster config where it is set (a resource's or an asset's config field
of the same name), else from its environment variable, else from the default below. The same code
location therefore runs a laptop (nothing set) and production (variables in the deployment), and the
Launchpad can still change one run. `docs/configuration.md` holds the table this module prints
(`python -m extraction_pipeline.settings`); a test fails when the two differ.

The SDK's own variables (`OPENAI_API_KEY`, `OPENAI_BASE_URL`) are not settings here: the `openai`
client reads them, and the key must never pass through config, which the UI shows.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

PACKAGE_DIR = Path(__file__).resolve().parent
_CHECKOUT = PACKAGE_DIR.parent
# In a checkout, prompts/, deploy/ and the working folders (inbox, output, cache, models) sit beside the
# package. An installed wheel carries prompts/ and deploy/ inside the package and keeps its working
# folders in the current directory, never in site-packages.
IN_CHECKOUT = (_CHECKOUT / "pyproject.toml").is_file() and (_CHECKOUT / "prompts").is_dir()
PROJECT_ROOT = _CHECKOUT if IN_CHECKOUT else Path.cwd()
SHIPPED_DIR = _CHECKOUT if IN_CHECKOUT else PACKAGE_DIR  # holds prompts/ and deploy/


def _bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError("expected 1/0, true/false, yes/no or on/off")


def _names(text: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in text.split(",") if item.strip())


def _paths(text: str) -> tuple[Path, ...]:
    return tuple(Path(name) for name in _names(text))


def parse_routes(text: str) -> dict[str, str]:
    """`receipt=gpt-4o-mini,invoice=gpt-4o` -> {"receipt": "gpt-4o-mini", "invoice": "gpt-4o"}."""
    pairs = [item.split("=", 1) for item in text.split(",") if item.strip()]
    if any(len(p) != 2 or not p[0].strip() or not p[1].strip() for p in pairs):
        raise ValueError("expected type=model pairs separated by commas")
    return {doc_type.strip(): model.strip() for doc_type, model in pairs}


def _setting(
    env: str, default: Any, doc: str, parse: Callable[[str], Any] = str, shown: str | None = None, secret: bool = False
) -> Any:
    """A dataclass field that knows its variable, how to read it, and the line it gets in the docs.
    A secret one (a URL with a password) stays out of the settings' repr, and so out of logs."""
    metadata = {"env": env, "doc": doc, "parse": parse, "shown": shown}
    if isinstance(default, (dict, list)):
        return field(default_factory=lambda: type(default)(default), metadata=metadata)
    return field(default=default, metadata=metadata, repr=not secret)


@dataclass(frozen=True)
class Settings:
    # Where documents come from and where results go.
    inbox: Path = _setting("EXTRACTION_INBOX", PROJECT_ROOT / "data" / "inbox",
        "folder the pipeline reads", Path, "`data/inbox`")  # fmt: skip
    # Deployment only: no Dagster config field carries this name, so the Launchpad cannot widen it.
    allowed_roots: tuple[Path, ...] = _setting("EXTRACTION_ALLOWED_ROOTS", (),
        "folders a run's `inbox` config may point into, comma-separated (the CLI adds the folder it is "
        "given); the inbox above is always allowed", _paths, "the inbox only")  # fmt: skip
    output_dir: Path = _setting("EXTRACTION_OUTPUT_DIR", PROJECT_ROOT / "output",
        "where the tables (Delta Lake) and the quality report go", Path, "`output/`")  # fmt: skip
    tables_uri: str | None = _setting("EXTRACTION_TABLES_URI", None,
        "where the Delta tables go when not in the output folder: a folder or a URI (`s3://bucket/prefix`, "
        "`gs://`, `az://`; credentials from the usual AWS_*, GOOGLE_*, AZURE_* variables)", str,
        "the output folder")  # fmt: skip
    gold_path: Path | None = _setting("EXTRACTION_GOLD", None,
        "gold labels (JSONL) for the `evaluation` asset; else `gold.jsonl` in the inbox", Path)  # fmt: skip
    prompts_dir: Path = _setting("EXTRACTION_PROMPTS_DIR", SHIPPED_DIR / "prompts",
        "prompt templates (TOML) and the built-in document-type packs", Path, "`prompts/`")  # fmt: skip
    document_types_dir: Path | None = _setting("EXTRACTION_DOCUMENT_TYPES_DIR", None,
        "your own document-type packs, one folder each (docs/document-types.md); a pack named like a "
        "built-in one replaces it", Path, "none")  # fmt: skip
    cache_path: Path = _setting("EXTRACTION_CACHE_PATH", PROJECT_ROOT / "cache" / "llm_answers.sqlite3",
        "the answer cache (SQLite); the near-duplicate index sits beside it", Path,
        "`cache/llm_answers.sqlite3`")  # fmt: skip
    cache_url: str | None = _setting("EXTRACTION_CACHE_URL", None,
        "a PostgreSQL URL (`postgresql://user:password@host/db`) for the answer cache and the "
        "near-duplicate index, shared by every run and machine; replaces the SQLite files", str,
        "none: SQLite files", secret=True)  # fmt: skip
    models_dir: Path = _setting("EXTRACTION_MODELS_DIR", PROJECT_ROOT / "models",
        "where the embedded model's GGUF files are assembled", Path, "`models/`")  # fmt: skip
    # Which model, and how hard to push the server.
    model: str | None = _setting("EXTRACTION_MODEL", None,
        "the model; unset: `gpt-4o-mini` on OpenAI, the only model a configured server lists, "
        "`qwen2.5-coder-1.5b-instruct` on the embedded server", shown="see meaning")  # fmt: skip
    retry_model: str | None = _setting("EXTRACTION_RETRY_MODEL", None,
        "a stronger model for documents the first one left invalid or flagged")  # fmt: skip
    routes: dict[str, str] = _setting("EXTRACTION_ROUTES", {},
        "a model per document type, `receipt=m1,invoice=m2`", parse_routes, "none")  # fmt: skip
    embedding_model: str | None = _setting("EXTRACTION_EMBEDDING_MODEL", None,
        "embeddings model for the near-duplicate search; unset: a local word 3-gram fingerprint")  # fmt: skip
    max_concurrency: int | None = _setting("EXTRACTION_MAX_CONCURRENCY", None,
        "LLM calls in flight within a run", int, "8 (1 on the embedded server)")  # fmt: skip
    rpm: int | None = _setting("EXTRACTION_RPM", None,
        "requests per minute, paced on the client; 0 turns the limit off", int,
        "500 on OpenAI's endpoint, none elsewhere")  # fmt: skip
    tpm: int | None = _setting("EXTRACTION_TPM", None,
        "tokens per minute, likewise", int, "200000 on OpenAI's endpoint, none elsewhere")  # fmt: skip
    # What one document and one run may spend.
    token_budget_per_document: int | None = _setting("EXTRACTION_DOC_BUDGET_TOKENS", 6000,
        "no re-ask once a document has used this many tokens", int)  # fmt: skip
    cost_budget_per_document_usd: float | None = _setting("EXTRACTION_DOC_BUDGET_USD", None,
        "the same in USD", float)  # fmt: skip
    run_budget_tokens: int | None = _setting("EXTRACTION_RUN_BUDGET_TOKENS", None,
        "no new request once the run has used this many tokens; the rest is quarantined as `budget`",
        int)  # fmt: skip
    run_budget_usd: float | None = _setting("EXTRACTION_RUN_BUDGET_USD", None, "the same in USD", float)
    # How answers are checked and reused.
    reuse_near_duplicates: bool = _setting("EXTRACTION_NEAR_DUPLICATES", False,
        "let a near copy of an extracted document take its answer when all of it is in the copy",
        _bool, "off")  # fmt: skip
    quarantine_ungrounded: tuple[str, ...] = _setting("EXTRACTION_QUARANTINE_UNGROUNDED", (),
        "fields to quarantine, not just flag, when their value is not in the document, fails a check, or is still "
        "invalid after the re-asks (an optional field is otherwise set to null and flagged) (comma-separated)",
        _names, "none")  # fmt: skip
    ocr_min_confidence: float = _setting("EXTRACTION_OCR_MIN_CONFIDENCE", 0.5,
        "flag a value read with OCR when a character of it was read less confidently than this (0 to 1; "
        "0 never flags)",
        float)  # fmt: skip
    max_part_chars: int = _setting("EXTRACTION_MAX_PART_CHARS", 12_000,
        "a longer document is extracted in parts of at most this many characters, and their answers "
        "merged (about 5,000 tokens: a part, its prompt and its answer fit the embedded model's 8,192)",
        int)  # fmt: skip
    send_page_images: bool = _setting("EXTRACTION_SEND_PAGE_IMAGES", False,
        "send the page images of scans and photos along with their OCR text, for a model that reads "
        "images (OpenAI's gpt-4o family); the embedded model reads text only", _bool, "off")  # fmt: skip
    # Automation: the sensor and the nightly schedule (read when the code location loads).
    sensor_interval_s: int = _setting("EXTRACTION_SENSOR_INTERVAL_S", 30,
        "seconds between looks at the inbox", int)  # fmt: skip
    settle_s: float = _setting("EXTRACTION_SETTLE_S", 5.0,
        "a file is complete once unmodified this long", float)  # fmt: skip
    # 50 documents a run: enough to amortise a run's few seconds of process start-up over the LLM work
    # (about 7 s at 8 concurrent 1-s calls), small enough that results land quickly, a failed run costs
    # little, and 200 files arriving at once become 4 runs, not 200.
    sensor_batch_size: int = _setting("EXTRACTION_SENSOR_BATCH_SIZE", 50,
        "new files per run the sensor starts", int)  # fmt: skip
    nightly_cron: str = _setting("EXTRACTION_NIGHTLY_CRON", "0 2 * * *", "when the nightly run starts")
    timezone: str = _setting("EXTRACTION_TIMEZONE", "UTC", "the nightly schedule's time zone")
    # Asset check thresholds.
    max_validation_error_rate: float = _setting("EXTRACTION_MAX_VALIDATION_ERROR_RATE", 0.5,
        "share of answers failing validation above which the run stops before the records", float)  # fmt: skip
    max_cost_per_document_usd: float = _setting("EXTRACTION_MAX_COST_PER_DOCUMENT_USD", 0.01,
        "cost per document above which a check warns", float)  # fmt: skip
    max_quarantine_rate: float = _setting("EXTRACTION_MAX_QUARANTINE_RATE", 0.2,
        "share of documents quarantined above which a check warns", float)  # fmt: skip

    @classmethod
    def load(cls, *config: Any, env: Mapping[str, str] | None = None) -> Settings:
        """Defaults, overridden by the environment, overridden by each Dagster config given (a pydantic
        config or resource, or a mapping) whose field of the same name is set (not None)."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            raw = env.get(f.metadata["env"])
            if raw is not None and raw.strip() != "":
                try:
                    values[f.name] = f.metadata["parse"](raw)
                except ValueError as exc:
                    raise ValueError(f"environment variable {f.metadata['env']}={raw!r}: {exc}") from None
        # The allow-list is the deployment's: no run's config may widen it.
        names = {f.name for f in dataclasses.fields(cls)} - {"allowed_roots"}
        for source in config:
            given = source if isinstance(source, Mapping) else source.model_dump()
            values.update({k: _coerce(cls, k, v) for k, v in given.items() if k in names and v is not None})
        return cls(**values)

    @property
    def tables_location(self) -> Path | str:
        return self.tables_uri or self.output_dir

    @property
    def answers_location(self) -> Path | str:
        return self.cache_url or self.cache_path

    @property
    def near_duplicates_location(self) -> Path | str:
        return self.cache_url or self.cache_path.with_name("near_duplicates.sqlite3")

    def allows_inbox(self, folder: Path) -> bool:
        """Whether a run may read `folder`: inside this inbox or an allowed root. Ask the settings of
        the environment alone, so that a run's config cannot widen what it checks against."""
        inside = folder.resolve()
        return any(inside.is_relative_to(root.resolve()) for root in (self.inbox, *self.allowed_roots))


def _coerce(cls: type[Settings], name: str, value: Any) -> Any:
    """Dagster config arrives as JSON types: paths as strings, tuples as lists."""
    declared = next(f for f in dataclasses.fields(cls) if f.name == name)
    if declared.metadata["parse"] is Path:
        return Path(value)
    if isinstance(value, list):
        return tuple(value)
    return value


def markdown_table() -> str:
    """The configuration table of docs/configuration.md, made from the fields above."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for f in dataclasses.fields(Settings):
        shown = f.metadata["shown"]
        if shown is None:
            default = f.default
            shown = "none" if default is None else f"`{default}`"
        rows.append(f"| `{f.metadata['env']}` | {shown} | {f.metadata['doc']} |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    sys.stdout.write(markdown_table())
