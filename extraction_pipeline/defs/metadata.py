"""How run numbers appear in the Dagster UI: the same names on every asset so their plots line up,
and values rounded the way a person reads them (115.69 s, a rate of 0.333), not float noise."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Mapping

import dagster as dg
import pandas as pd

from extraction_pipeline.documents.reading import Rejection


def tidy(name: str, value: Any) -> Any:
    """Seconds to the hundredth, shares to the thousandth, money to six significant digits."""
    if isinstance(value, bool) or not isinstance(value, float):
        return value
    if name.startswith("cost_usd") or name.endswith("_usd"):
        return float(f"{value:.6g}")
    if name.endswith("_s"):
        return round(value, 2)
    if "rate" in name or "share" in name or name.startswith("accuracy"):
        return round(value, 3)
    return float(f"{value:.6g}")


def tidied(numbers: Mapping[str, Any]) -> dict[str, Any]:
    return {name: tidy(name, value) for name, value in numbers.items()}


def standard_numbers(
    started: float, *, cost_usd: float, input_tokens: int, output_tokens: int, error_rate: float
) -> dict[str, Any]:
    """The five measures every asset records, under the same names, so their plots line up."""
    return tidied(
        {
            "latency_s": time.perf_counter() - started,
            "cost_usd": float(cost_usd),
            "gen_ai.usage.input_tokens": int(input_tokens),
            "gen_ai.usage.output_tokens": int(output_tokens),
            "error_rate": float(error_rate),
        }
    )


def rejections_md(rejections: list[Rejection]) -> str:
    return "\n".join(f"- {r.reason}" for r in rejections) or "none"


def column_schema(frame: pd.DataFrame) -> dg.TableSchema:
    return dg.TableSchema(columns=[dg.TableColumn(str(c), str(t)) for c, t in frame.dtypes.items()])


def preview_md(records: pd.DataFrame, fields: list[str], limit: int = 20) -> str:
    if records.empty:
        return "no records in this run"
    cols = ["source_path", *fields]
    head = records[cols].head(limit).assign(source_path=lambda f: f.source_path.map(lambda p: Path(p).name))
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(str(v).replace("|", "/") for v in row) + " |" for row in head.itertuples(index=False)]
    return "\n".join(lines)
