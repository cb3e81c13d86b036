"""Accuracy against gold labels as part of the graph, and the guard against a prompt or model change
that quietly lowers it.

An evaluation is *accepted* when no field fell more than the margin below the last accepted
evaluation of the same prompt name; the first one of a prompt is accepted as its baseline. A drop
fails the check and leaves the baseline where it was, so a regression stays visible until it is fixed.
"""

from __future__ import annotations

from typing import Any

MARGIN_DEFAULT = 0.02


def compare(current: dict[str, float | None], baseline: dict[str, float] | None, margin: float) -> dict[str, Any]:
    """Which fields dropped more than `margin` below the baseline; accepted when none did."""
    if baseline is None:
        return {"accepted": True, "drops": {}, "note": "first evaluation of this prompt: accepted as the baseline"}
    drops = {
        f: {"baseline": base, "now": current.get(f)}
        for f, base in baseline.items()
        if current.get(f) is None or current[f] < base - margin
    }
    note = (
        "no field below the accepted baseline"
        if not drops
        else "accuracy dropped: "
        + ", ".join(
            f"{f} {d['baseline']:.3f} -> {d['now'] if d['now'] is None else round(d['now'], 3)}"
            for f, d in drops.items()
        )
    )
    return {"accepted": not drops, "drops": drops, "note": note}
