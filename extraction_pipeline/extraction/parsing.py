"""Turning an LLM's raw answer into a validated record, or a typed error that says what was wrong.

Small models wrap JSON in code fences or add prose around it; a plain `json.loads` fails on most of
their answers. Numbers are parsed as Decimal so that 60.30 stays 60.30.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ValidationError

_FENCE = re.compile(r"```[a-zA-Z0-9_-]*[ \t]*\n?(.*?)```", re.DOTALL)
# strict=False: models copy tabs and newlines from the document into strings unescaped.
_DECODER = json.JSONDecoder(parse_float=Decimal, strict=False)
# Bounds the search in pathological answers (thousands of braces); a real answer has its object early.
_MAX_CANDIDATES = 64


class OutputError(Exception):
    """An answer that cannot become a record. `kind` groups errors in the quality report."""

    kind = "output_error"


class ParseError(OutputError):
    kind = "parse_error"


class ValidationFailure(OutputError):
    kind = "validation_error"

    def __init__(self, message: str, fields: tuple[str, ...] = (), entries: tuple[tuple[str, int], ...] = ()):
        super().__init__(message)
        self.fields = fields  # the top-level fields that failed
        self.entries = entries  # the entries of list fields that failed: ("line_items", 2)


def extract_json_object(text: str) -> dict[str, Any]:
    """The first JSON object in the answer: inside a code fence, the whole text, or embedded in prose."""
    if not text or not text.strip():
        raise ParseError("the answer was empty")
    candidates = [m.group(1) for m in _FENCE.finditer(text)] + [text]
    for candidate in candidates:
        found = _first_object(candidate)
        if found is not None:
            return found
    raise ParseError(f"no JSON object found in the answer (starts with {text.strip()[:60]!r})")


def _first_object(text: str) -> dict[str, Any] | None:
    start = text.find("{")
    tried = 0
    while start != -1 and tried < _MAX_CANDIDATES:
        tried += 1
        try:
            value, _ = _DECODER.raw_decode(text, start)
        except (ValueError, RecursionError):
            value = None
        if isinstance(value, dict):
            return value
        start = text.find("{", start + 1)
    return None


def validate_record(data: dict[str, Any], model: type[BaseModel]) -> BaseModel:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        locs = [e["loc"] for e in exc.errors() if e["loc"]]
        fields = tuple(dict.fromkeys(str(loc[0]) for loc in locs))
        entries = tuple(
            dict.fromkeys((str(loc[0]), loc[1]) for loc in locs if len(loc) > 1 and isinstance(loc[1], int))
        )
        raise ValidationFailure(describe_validation_error(exc), fields, entries) from None


def describe_validation_error(exc: ValidationError) -> str:
    """One line per problem, short enough to quote back to the model in a re-ask."""
    lines = []
    for err in exc.errors(include_url=False):
        where = ".".join(str(p) for p in err["loc"]) or "(object)"
        got = "" if err["type"] == "missing" else f" (got {repr(err.get('input'))[:80]})"
        lines.append(f"- {where}: {err['msg']}{got}")
    return "\n".join(lines)


def parse_answer(text: str, model: type[BaseModel]) -> BaseModel:
    return validate_record(extract_json_object(text), model)
