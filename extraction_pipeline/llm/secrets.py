"""Keys out of anything a server says: a hostile or compromised server can echo the API key (or
another provider's key it saw) into an answer, and answers are stored in the cache, the tables and
run storage. Everything read from a server passes through `redact` before it is kept."""

from __future__ import annotations

import os
import re

REDACTED = "[REDACTED]"
# Shapes of provider keys: OpenAI and Anthropic (sk-...), AWS access keys, Google API keys, GitHub
# tokens, Slack tokens, Hugging Face tokens.
KEY_SHAPES = re.compile(
    r"\bsk-[A-Za-z0-9_\-]{16,}"
    r"|\bAKIA[0-9A-Z]{16}\b"
    r"|\bAIza[0-9A-Za-z_\-]{35}"
    r"|\bgh[pousr]_[A-Za-z0-9]{36,}"
    r"|\bxox[abprs]-[A-Za-z0-9\-]{10,}"
    r"|\bhf_[A-Za-z0-9]{30,}"
)


def redact(text: str, key: str | None = None) -> str:
    """`text` with the configured key (default: $OPENAI_API_KEY) and key-shaped strings replaced."""
    key = key if key is not None else os.environ.get("OPENAI_API_KEY", "")
    if len(key) >= 8:
        text = text.replace(key, REDACTED)
    return KEY_SHAPES.sub(REDACTED, text)
