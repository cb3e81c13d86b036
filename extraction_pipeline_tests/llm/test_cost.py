"""Cost from the price table: cached input at its own price, snapshots priced as their family, unknown not free."""

import pytest

from extraction_pipeline.llm.cost import Price, call_cost, price_for


def test_cost_counts_cached_input_at_its_own_price():
    price = Price(input=2.0, cached_input=0.5, output=8.0)
    # 1,000 input tokens of which 400 cached, 100 output: 600*2 + 400*0.5 + 100*8 = 2,200 per million.
    assert call_cost(price, 1000, 400, 100) == pytest.approx(0.0022)


def test_dated_snapshots_take_their_family_price_and_unknown_models_are_not_free():
    assert price_for("gpt-4o-mini-2024-07-18") == price_for("gpt-4o-mini")
    assert price_for("gpt-4o-2024-08-06") == price_for("gpt-4o")
    assert price_for("some-new-model") is None
    assert call_cost(None, 100, 0, 10) is None


def test_local_models_cost_zero_and_say_so():
    price = price_for("qwen2.5-coder-1.5b-instruct")
    assert price.local and call_cost(price, 5000, 0, 500) == 0.0
