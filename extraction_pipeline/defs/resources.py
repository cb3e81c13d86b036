"""Dagster resources: the LLM backend, where outputs go, and the check thresholds.

Each field that is also a setting (see settings.py) overrides that setting for the run when set; left
unset, the environment or the default decides, so one code location serves a laptop (embedded model)
and production (a configured server).
"""

import contextlib
import functools
from typing import Callable, Iterator, Optional

import dagster as dg
from pydantic import Field

from extraction_pipeline.defs.io_manager import RunScopedPickleIOManager
from extraction_pipeline.llm.backend import open_client
from extraction_pipeline.llm.budget import RunBudget
from extraction_pipeline.llm.client import LLMClient
from extraction_pipeline.settings import Settings


class LLMResource(dg.ConfigurableResource):
    """How to call the LLM. The API key is deliberately not a field: config shows in the UI and run
    records, so the key stays in the SDK's own `OPENAI_API_KEY` variable."""

    model: Optional[str] = Field(
        default=None, description="the model; default $EXTRACTION_MODEL (see docs/configuration.md)"
    )
    response_format: str = Field(default="auto", description="auto | json_schema | json_object_schema | json_object")
    timeout_s: float = Field(
        default=300.0,
        description="per request; a CPU-only local model needs tens of seconds, minutes for an invoice with many lines",
    )
    max_retries: int = Field(
        default=3, description="SDK retries of transient faults (429, 5xx, timeouts), honouring Retry-After"
    )
    max_output_tokens: int = Field(
        default=1500,
        description="a receipt's JSON needs 100-400 tokens, an invoice's with 30 lines about 1,200; an answer cut "
        "off here is quarantined as truncated",
    )
    rpm: Optional[int] = Field(default=None, description="requests per minute; default $EXTRACTION_RPM")
    tpm: Optional[int] = Field(default=None, description="tokens per minute; default $EXTRACTION_TPM")
    retry_model: Optional[str] = Field(
        default=None,
        description="a stronger model for documents the first one could not extract; default $EXTRACTION_RETRY_MODEL",
    )
    routes: Optional[dict[str, str]] = Field(
        default=None, description="model per document type, e.g. {invoice: gpt-4o}; default $EXTRACTION_ROUTES"
    )
    embedding_model: Optional[str] = Field(
        default=None,
        description="embeddings model for near-duplicate search; default $EXTRACTION_EMBEDDING_MODEL, else a local text fingerprint",
    )
    use_cache: bool = Field(default=True, description="serve repeated requests from the answer cache")

    @contextlib.contextmanager
    def client(
        self, settings: Settings, budget: Optional[RunBudget] = None, rate_share: int = 1
    ) -> Iterator[LLMClient]:
        with open_client(
            settings,
            response_format=self.response_format,  # type: ignore[arg-type]
            budget=budget,
            use_cache=self.use_cache,
            rate_share=rate_share,
            timeout_s=self.timeout_s,
            max_retries=self.max_retries,
            max_output_tokens=self.max_output_tokens,
        ) as client:
            yield client


def routed_clients(settings: Settings, client: LLMClient) -> dict[str, LLMClient]:
    """A client per document type whose route names another model than the default."""
    return {doc_type: client.sibling(model) for doc_type, model in settings.routes.items() if model != client.model}


def retry_client(settings: Settings, client: LLMClient) -> Optional[LLMClient]:
    model = settings.retry_model
    return client.sibling(model) if model and model != client.model else None


def embedder(settings: Settings, client: LLMClient) -> Optional[Callable[[str], list[float]]]:
    """Embeddings from the same server as the extractions, when an embedding model is configured."""
    model = settings.embedding_model
    return functools.partial(client.embed, model=model) if model else None


class OutputStorage(dg.ConfigurableResource):
    """The folder that receives the Parquet tables and the quality report."""

    output_dir: Optional[str] = Field(default=None, description="default $EXTRACTION_OUTPUT_DIR or output/")


class QualityThresholds(dg.ConfigurableResource):
    """Limits of the asset checks; each field left unset takes its setting (docs/configuration.md)."""

    max_validation_error_rate: Optional[float] = Field(
        default=None, description="default $EXTRACTION_MAX_VALIDATION_ERROR_RATE or 0.5"
    )
    max_cost_per_document_usd: Optional[float] = Field(
        default=None, description="default $EXTRACTION_MAX_COST_PER_DOCUMENT_USD or 0.01"
    )
    max_quarantine_rate: Optional[float] = Field(
        default=None, description="default $EXTRACTION_MAX_QUARANTINE_RATE or 0.2"
    )


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "llm": LLMResource(),
            "storage": OutputStorage(),
            "thresholds": QualityThresholds(),
            "io_manager": RunScopedPickleIOManager(),
        }
    )
