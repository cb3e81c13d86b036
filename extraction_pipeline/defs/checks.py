"""Asset checks on every run's extractions, visible on the asset pages in the UI.

The validation-error check shows what `validated_records` acts on: when most answers of a run fail
validation, the prompt or the model is broken, and the answers that did validate came from the same
broken setup, so that asset keeps them out of the record table, quarantines every document of the
run with the reason (the next run tries again) and fails the run visibly. The check does not block:
a blocked `validated_records` would leave the run's documents in no table at all. Cost and quarantine
share warn: the data they describe is still correct.
"""

import dagster as dg

from extraction_pipeline.defs.metadata import tidy
from extraction_pipeline.defs.resources import QualityThresholds
from extraction_pipeline.extraction.batch import ExtractionBatch
from extraction_pipeline.quality.metrics import call_summary
from extraction_pipeline.settings import Settings

# By key, not by importing the assets: the defs loader would collect them a second time from here.
LLM_EXTRACTIONS = dg.AssetKey("llm_extractions")
VALIDATED_RECORDS = dg.AssetKey("validated_records")


def _limit(thresholds: QualityThresholds, name: str) -> float:
    return getattr(Settings.load(thresholds), name)


def _result(value: float, limit: float, name: str) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        passed=value <= limit,
        metadata={name: tidy(name, float(value)), "limit": float(limit)},
        description=f"{name} {value:.4g} {'within' if value <= limit else 'above'} the limit {limit:.4g}",
    )


@dg.asset_check(
    asset=LLM_EXTRACTIONS,
    description="Share of answers that failed parsing or validation; above the limit the run's records are held back.",
)
def validation_error_rate_below_threshold(
    thresholds: QualityThresholds, llm_extractions: ExtractionBatch
) -> dg.AssetCheckResult:
    rate = call_summary(llm_extractions.outcomes).validation_error_rate
    return _result(rate, _limit(thresholds, "max_validation_error_rate"), "validation_error_rate")


@dg.asset_check(asset=LLM_EXTRACTIONS, description="LLM cost per document, re-asks included.")
def cost_per_document_within_budget(
    thresholds: QualityThresholds, llm_extractions: ExtractionBatch
) -> dg.AssetCheckResult:
    cost = call_summary(llm_extractions.outcomes).cost_usd_per_document
    return _result(cost, _limit(thresholds, "max_cost_per_document_usd"), "cost_usd_per_document")


@dg.asset_check(asset=VALIDATED_RECORDS, description="Share of this run's documents that ended in quarantine.")
def quarantine_share_below_threshold(thresholds: QualityThresholds, validated_records: dict) -> dg.AssetCheckResult:
    records, quarantine = len(validated_records["records"]), len(validated_records["quarantine"])
    share = quarantine / (records + quarantine) if records + quarantine else 0.0
    return _result(share, _limit(thresholds, "max_quarantine_rate"), "quarantine_rate")
