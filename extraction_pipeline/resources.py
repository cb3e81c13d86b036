"""Dagster resources: the LLM backend and where outputs go. Both read the environment at run time,
so one code location serves a laptop (embedded model) and production (a configured server)."""

import contextlib
import functools
import os
from pathlib import Path
from typing import Callable, Iterator, Optional

import dagster as dg
from pydantic import Field

from .backend import open_client
from .budget import RunBudget
from .llm_client import LLMClient
from .local_model import REPO_ROOT


class LLMResource(dg.ConfigurableResource):
    """How to call the LLM. The API key is deliberately not a field: config shows in the UI and run
    records, so the key stays in the SDK's own `OPENAI_API_KEY` variable."""

    model: Optional[str] = Field(
        default=None,
        description="model name; default $EXTRACTION_MODEL or gpt-4o-mini (remote), the embedded model otherwise",
    )
    response_format: str = Field(default="auto", description="auto | json_schema | json_object_schema | json_object")
    timeout_s: float = Field(default=120.0, description="per request; a CPU-only local model needs tens of seconds")
    max_retries: int = Field(
        default=3, description="SDK retries of transient faults (429, 5xx, timeouts), honouring Retry-After"
    )
    max_output_tokens: int = Field(
        default=400, description="a receipt's JSON needs under 150 tokens; more means rambling"
    )
    rpm: Optional[int] = Field(
        default=None,
        description="requests per minute; default $EXTRACTION_RPM, else 500 on a configured server, none locally",
    )
    tpm: Optional[int] = Field(
        default=None,
        description="tokens per minute; default $EXTRACTION_TPM, else 200000 on a configured server, none locally",
    )
    retry_model: Optional[str] = Field(
        default=None,
        description="a stronger model for documents the first one could not extract; default $EXTRACTION_RETRY_MODEL",
    )
    routes: Optional[dict[str, str]] = Field(
        default=None,
        description="model per document type, e.g. {invoice: gpt-4o}; default $EXTRACTION_ROUTES (receipt=m1,invoice=m2)",
    )
    embedding_model: Optional[str] = Field(
        default=None,
        description="embeddings model for near-duplicate search, e.g. text-embedding-3-small; default $EXTRACTION_EMBEDDING_MODEL, else a local text fingerprint",
    )
    use_cache: bool = Field(
        default=True, description="serve repeated requests from the answer cache ($EXTRACTION_CACHE_PATH)"
    )

    @contextlib.contextmanager
    def client(self, budget: Optional[RunBudget] = None) -> Iterator[LLMClient]:
        with open_client(
            model=self.model,
            response_format=self.response_format,  # type: ignore[arg-type]
            rpm=self.rpm,
            tpm=self.tpm,
            use_cache=self.use_cache,
            budget=budget,
            also_serve=tuple(filter(None, [self._retry_model(), *self._routes().values()])),
            timeout_s=self.timeout_s,
            max_retries=self.max_retries,
            max_output_tokens=self.max_output_tokens,
        ) as client:
            yield client

    def _routes(self) -> dict[str, str]:
        return self.routes if self.routes is not None else parse_routes(os.environ.get("EXTRACTION_ROUTES", ""))

    def _retry_model(self) -> Optional[str]:
        return self.retry_model or os.environ.get("EXTRACTION_RETRY_MODEL")

    def routed_clients(self, client: LLMClient) -> dict[str, LLMClient]:
        """A client per document type whose route names another model than the default."""
        return {doc_type: client.sibling(model) for doc_type, model in self._routes().items() if model != client.model}

    def retry_client(self, client: LLMClient) -> Optional[LLMClient]:
        model = self._retry_model()
        return client.sibling(model) if model and model != client.model else None

    def embedding_model_name(self) -> Optional[str]:
        return self.embedding_model or os.environ.get("EXTRACTION_EMBEDDING_MODEL") or None

    def embedder(self, client: LLMClient) -> Optional[Callable[[str], list[float]]]:
        """Embeddings from the same server as the extractions, when an embedding model is configured."""
        model = self.embedding_model_name()
        return functools.partial(client.embed, model=model) if model else None


def parse_routes(text: str) -> dict[str, str]:
    """`receipt=gpt-4o-mini,invoice=gpt-4o` -> {"receipt": "gpt-4o-mini", "invoice": "gpt-4o"}."""
    pairs = [item.split("=", 1) for item in text.split(",") if item.strip()]
    if any(len(p) != 2 or not p[0].strip() or not p[1].strip() for p in pairs):
        raise ValueError(f"EXTRACTION_ROUTES={text!r}: expected type=model pairs separated by commas")
    return {doc_type.strip(): model.strip() for doc_type, model in pairs}


class OutputStorage(dg.ConfigurableResource):
    """The folder that receives the Parquet tables and the quality report."""

    output_dir: Optional[str] = Field(
        default=None, description="default $EXTRACTION_OUTPUT_DIR or output/ in the project"
    )

    @property
    def path(self) -> Path:
        return Path(self.output_dir or os.environ.get("EXTRACTION_OUTPUT_DIR") or REPO_ROOT / "output")
