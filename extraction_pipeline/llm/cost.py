"""What an LLM call cost, from a price table file per model (USD per million tokens)."""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path

PRICES_FILE = Path(__file__).with_name("model_prices.toml")


@dataclass(frozen=True)
class Price:
    input: float
    cached_input: float
    output: float
    local: bool = False


@functools.cache
def load_prices(path: Path = PRICES_FILE) -> dict[str, Price]:
    with open(path, "rb") as fh:
        table = tomllib.load(fh)
    return {model: Price(**entry) for model, entry in table.items()}


def price_for(model: str, prices: dict[str, Price] | None = None) -> Price | None:
    """Exact name first, then the longest listed name that prefixes it (dated snapshots: gpt-4o-2024-08-06)."""
    prices = load_prices() if prices is None else prices
    if model in prices:
        return prices[model]
    prefixes = [name for name in prices if model.startswith(name + "-")]
    return prices[max(prefixes, key=len)] if prefixes else None


def call_cost(price: Price | None, input_tokens: int, cached_input_tokens: int, output_tokens: int) -> float | None:
    """USD for one call; None when the model has no price (unknown is not free)."""
    if price is None:
        return None
    uncached = max(input_tokens - cached_input_tokens, 0)
    return (uncached * price.input + cached_input_tokens * price.cached_input + output_tokens * price.output) / 1e6
