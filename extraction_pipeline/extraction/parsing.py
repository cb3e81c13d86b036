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


class RepetitionLoop(OutputError):
    """An answer cut off while it repeated one piece of text: a small model's loop, which a re-ask
    can break, unlike an answer that was merely longer than the output limit."""

    kind = "repetition"

    def __init__(self, text: str, start: int, unit: int):
        super().__init__(
            f"the answer repeated the same text over and over ({text[start : start + unit][:120]!r}) until the"
            " output limit cut it off. Give each value once, as the document prints it, and close the JSON object."
        )
        # What the conversation keeps of the answer: up to the first repeat, not the loop.
        self.kept = f"{text[: start + unit]} ..."


# A loop repeats its piece at least this often and over at least this many characters, and the
# piece is at most _MAX_UNIT long (a few line items repeated as a block).
_MIN_REPEATS, _MIN_SPAN, _MAX_UNIT = 3, 100, 2000


def repetition_loop(text: str) -> tuple[int, int] | None:
    """(where it starts, piece length) when the text ends by repeating one piece; else None."""
    n = len(text)
    for unit in range(1, min(_MAX_UNIT, n // _MIN_REPEATS) + 1):
        span = max(_MIN_REPEATS * unit, _MIN_SPAN)
        if span > n or text[n - span : n - unit] != text[n - span + unit :]:
            continue
        start = n - span
        while start > 0 and text[start - 1] == text[start - 1 + unit]:
            start -= 1
        return start, unit
    return None


_KEY_BEFORE = re.compile(r'"([^"\\]+)"\s*:\s*$')


def cut_inside_list(text: str, list_fields: list[str]) -> bool:
    """Whether an answer cut off by the output limit ends inside one of the list fields (a table of
    rows): an answer that grows with the document, which a part of the document would fit. JSON is
    scanned for its open brackets, strings skipped, so a bracket inside a value counts for nothing."""
    opened: list[str | None] = []  # for each open bracket, the list field it opened, if any
    in_string = escaped = False
    for i, char in enumerate(text):
        if in_string:
            escaped, in_string = (False, True) if escaped else (char == "\\", char != '"')
        elif char == '"':
            in_string = True
        elif char in "[{":
            key = _KEY_BEFORE.search(text, max(0, i - 200), i) if char == "[" else None
            opened.append(key.group(1) if key and key.group(1) in list_fields else None)
        elif char in "]}" and opened:
            opened.pop()
    return any(opened)


def pairs_before_the_cut(text: str) -> dict[str, Any]:
    """The top-level key/value pairs a cut-off JSON object completed before the cut: what a model
    that read the whole document had given when the output limit stopped it."""
    start = text.find("{")
    pairs: dict[str, Any] = {}
    if start < 0:
        return pairs
    at = start + 1
    while True:
        try:
            key, at = _DECODER.raw_decode(text, _past_blanks(text, at))
            at = _past_blanks(text, at)
            if not isinstance(key, str) or text[at : at + 1] != ":":
                return pairs
            value, at = _DECODER.raw_decode(text, _past_blanks(text, at + 1))
        except (ValueError, RecursionError):
            return pairs
        at = _past_blanks(text, at)
        if text[at : at + 1] not in (",", "}"):  # a number at the cut may have lost its last digits
            return pairs
        pairs[key] = value
        if text[at] == "}":
            return pairs
        at += 1


def _past_blanks(text: str, at: int) -> int:
    while at < len(text) and text[at] in " \t\r\n":
        at += 1
    return at


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
