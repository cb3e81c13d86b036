"""Asset checks on every run's extractions, visible on the asset pages in the UI.

The validation-error check blocks: when most answers of a run fail validation, the prompt or the
model is broken, and the answers that did validate came from the same broken setup, so they are
kept out of the record table (the run fails visibly; the documents are retried next run). Cost and
quarantine share warn without blocking: the data they describe is still correct.
"""

from typing import Optional

import dagster as dg
from pydantic import Field

from .assets import ExtractionBatch, llm_extractions, validated_records
from .metrics import call_summary
from .settings import env_number


class QualityThresholds(dg.ConfigurableResource):
    max_validation_error_rate: Optional[float] = Field(
        default=None, description="default $EXTRACTION_MAX_VALIDATION_ERROR_RATE or 0.5"
    )
    max_cost_per_document_usd: Optional[float] = Field(
        default=None, description="default $EXTRACTION_MAX_COST_PER_DOCUMENT_USD or 0.01"
    )
    max_quarantine_rate: Optional[float] = Field(
        default=None, description="default $EXTRACTION_MAX_QUARANTINE_RATE or 0.2"
    )

    def limit(self, name: str) -> float:
        defaults = {"max_validation_error_rate": 0.5, "max_cost_per_document_usd": 0.01, "max_quarantine_rate": 0.2}
        configured = getattr(self, name)
        if configured is not None:
            return configured
        return env_number(f"EXTRACTION_{name.upper()}", float, defaults[name])


def _result(value: float, limit: float, name: str) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        passed=value <= limit,
        metadata={name: dg.MetadataValue.float(float(value)), "limit": dg.MetadataValue.float(float(limit))},
        description=f"{name} {value:.4g} {'within' if value <= limit else 'above'} the limit {limit:.4g}",
    )


@dg.asset_check(asset=llm_extractions, blocking=True, description="Share of answers that failed parsing or validation.")
def validation_error_rate_below_threshold(
    thresholds: QualityThresholds, llm_extractions: ExtractionBatch
) -> dg.AssetCheckResult:
    rate = call_summary(llm_extractions.outcomes)["validation.error_rate"]
    return _result(rate, thresholds.limit("max_validation_error_rate"), "validation_error_rate")


@dg.asset_check(asset=llm_extractions, description="LLM cost per document, re-asks included.")
def cost_per_document_within_budget(
    thresholds: QualityThresholds, llm_extractions: ExtractionBatch
) -> dg.AssetCheckResult:
    cost = call_summary(llm_extractions.outcomes)["cost_usd_per_document"]
    return _result(cost, thresholds.limit("max_cost_per_document_usd"), "cost_usd_per_document")


@dg.asset_check(asset=validated_records, description="Share of this run's documents that ended in quarantine.")
def quarantine_share_below_threshold(thresholds: QualityThresholds, validated_records: dict) -> dg.AssetCheckResult:
    records, quarantine = len(validated_records["records"]), len(validated_records["quarantine"])
    share = quarantine / (records + quarantine) if records + quarantine else 0.0
    return _result(share, thresholds.limit("max_quarantine_rate"), "quarantine_rate")


CHECKS = [validation_error_rate_below_threshold, cost_per_document_within_budget, quarantine_share_below_threshold]
