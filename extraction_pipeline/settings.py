"""Limits read from the environment, so the same code location runs a laptop and production.

Dagster config wins where it is set; these are the defaults beneath it.
"""

from __future__ import annotations

import os
from typing import Callable, TypeVar

T = TypeVar("T", int, float)

# OpenAI's lower usage tiers (tier 1, gpt-4o-mini): 500 requests and 200,000 tokens per minute.
DEFAULT_REMOTE_RPM = 500
DEFAULT_REMOTE_TPM = 200_000
DEFAULT_REMOTE_CONCURRENCY = 8


def env_number(name: str, cast: Callable[[str], T], default: T | None = None) -> T | None:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return cast(value)
    except ValueError:
        raise ValueError(f"environment variable {name}={value!r} is not a {cast.__name__}") from None


def first_set(*values: T | None) -> T | None:
    return next((v for v in values if v is not None), None)
