"""A text value the model copied with a slip, put back as printed.

A small model copying a long value now and then swaps or drops a letter: `KAWASAN PERINDUSTRIAN,
TAMPIO` for the printed `KAWASAN PERINDUSTRIAN TAMPOI` (SROIE tuning receipts, eight of one
shop's). Grounding finds it nowhere, the re-ask gives it back the same, and the record kept a value
that is not on the page. Where one stretch of the document differs from the value by at most one
letter or digit in 25 (letters and digits compared, upper-cased, as grounding compares names), that
stretch as printed is the value. Short values are never moved: one letter in a short name may be
another name. Text read with OCR is not the truth a value is moved to (a model that reads `PHARHACY`
as `PHARMACY` is right), so the caller applies this to text-layer documents only.
"""

from __future__ import annotations

from typing import Any

_CHARS_PER_EDIT = 25  # a value needs this many letters and digits for each edit allowed
_MAX_TEXT = 200_000  # letters and digits searched at most (a value is looked for on every page)


def near_copies(record: dict[str, Any], text: str) -> dict[str, str]:
    """Top-level text values printed nowhere as given, each with the one printed stretch it was
    copied from with a slip (its lines joined by a space); the caller keeps the model's values."""
    kept: list[tuple[int, str]] | None = None
    moved = {}
    for field, value in record.items():
        if not isinstance(value, str):
            continue
        needle = "".join(ch.upper() for ch in value if ch.isalnum())
        allowed = len(needle) // _CHARS_PER_EDIT
        if not allowed:
            continue
        if kept is None:
            kept = [(i, ch.upper()) for i, ch in enumerate(text) if ch.isalnum()]
            haystack = "".join(ch for _, ch in kept)
        if needle in haystack:
            continue
        found = _closest(needle, haystack[:_MAX_TEXT], allowed)
        spans = [(kept[start][0], kept[end - 1][0] + 1) for start, end in found]
        places = _places(spans, text, len(value))
        if len({"".join(ch for ch in text[a:b] if ch.isalnum()) for a, b in places}) == 1:
            a, b = places[0]
            moved[field] = " ".join(text[a:b].split())
    return moved


def _places(spans: list[tuple[int, int]], text: str, length: int) -> list[tuple[int, int]]:
    """One span of `text` for each place: of the overlapping spans at one place (a slip can be
    matched a few ways), one that starts and ends at word boundaries (not `SDN BHD 0` of a date on
    the next line), then the one nearest the value's length."""

    def fit(span: tuple[int, int]) -> tuple[bool, int]:
        a, b = span
        cut = (a > 0 and text[a - 1].isalnum()) or (b < len(text) and text[b].isalnum())
        return cut, abs(b - a - length)

    places: list[list[tuple[int, int]]] = []
    for span in sorted(spans):
        if places and span[0] < max(end for _, end in places[-1]):
            places[-1].append(span)
        else:
            places.append([span])
    return [min(place, key=fit) for place in places]


def _closest(needle: str, haystack: str, allowed: int) -> list[tuple[int, int]]:
    """The (start, end) of each stretch of `haystack` at the least edit distance from `needle`, where
    that is `allowed` or less. Ends by Myers' bit-parallel search (one pass over the haystack, the
    value's characters as the bits of an integer), starts by a small table over the characters
    before each end."""
    m = len(needle)
    full, top = (1 << m) - 1, 1 << (m - 1)
    equal: dict[str, int] = {}
    for i, ch in enumerate(needle):
        equal[ch] = equal.get(ch, 0) | (1 << i)
    plus, minus, score = full, 0, m
    ends: list[tuple[int, int]] = []
    for j, ch in enumerate(haystack):
        eq = equal.get(ch, 0)
        xv = eq | minus
        xh = (((eq & plus) + plus) ^ plus) | eq
        ph = minus | (~(xh | plus) & full)
        mh = plus & xh
        score += 1 if ph & top else -1 if mh & top else 0
        ph, mh = (ph << 1) & full, (mh << 1) & full
        plus, minus = mh | (~(xv | ph) & full), ph & xv
        if score <= allowed:
            ends.append((score, j + 1))
    if not ends:
        return []
    best = min(score for score, _ in ends)
    return [(_start(needle, haystack, end), end) for score, end in ends if score == best]


def _start(needle: str, haystack: str, end: int) -> int:
    """Where the closest copy of `needle` that ends at `end` starts: edit distances of the needle's
    tails against the haystack read backwards from `end`."""
    window = haystack[max(0, end - 2 * len(needle)) : end][::-1]
    reversed_needle = needle[::-1]
    row = list(range(len(reversed_needle) + 1))
    best = (row[-1], 0)
    for j, ch in enumerate(window, 1):
        previous, row = row, [0] * len(row)
        row[0] = j
        for i, nc in enumerate(reversed_needle, 1):
            row[i] = min(previous[i] + 1, row[i - 1] + 1, previous[i - 1] + (nc != ch))
        best = min(best, (row[-1], j))
    return end - best[1]
