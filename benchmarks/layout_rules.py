"""How the layout completion (extraction/layout.py) and the total check (extraction/plausibility.py) do on labelled receipts.

    .venv/bin/python benchmarks/layout_rules.py SROIE_FOLDER [--records OUTPUT_DIR]

`SROIE_FOLDER` holds the SROIE receipts as `docs/<id>.txt` and `gold.jsonl` (docs/accuracy.md); the
cord-receipts folder has the same shape (totals only).

Without a model: every gold company and address is fed in as if it were the model's answer, and the
share left as it was is printed (a rule that changes a right answer is a regression); every gold total
is run through the total check (a flag on a right total is a false alarm).

With `--records` (the output folder of `extraction-pipeline evaluate`): the model's own answers
(`model_values` where a value was completed) are scored before and after completion, and every wrong
total is listed with whether the check flags it.
"""

from __future__ import annotations

import argparse
import json
from decimal import Decimal
from pathlib import Path

from deltalake import DeltaTable

from extraction_pipeline.checks.layout import complete
from extraction_pipeline.checks.plausibility import total_problem
from extraction_pipeline.doctypes.packs import CheckedDocument
from extraction_pipeline.extraction.values import parse_amount
from extraction_pipeline.quality.scoring import field_correct, load_gold


def gold_checks(dataset: Path) -> None:
    gold = load_gold(dataset / "gold.jsonl")
    kept = {"company": [0, 0], "address": [0, 0]}
    false_flags = checked = 0
    for doc_id, fields in gold.items():
        text = (dataset / "docs" / f"{doc_id}.txt").read_text(encoding="utf-8")
        answer = {f: fields[f] for f in kept if fields.get(f)}
        completed = {**answer, **complete(answer, text)}
        for f in answer:
            kept[f][0] += field_correct(f, completed[f], fields[f])
            kept[f][1] += 1
        total = parse_amount(fields.get("total"))
        if total is not None:
            checked += 1
            false_flags += bool(total_problem({"total": total}, CheckedDocument(text, {})))
    for f, (ok, n) in kept.items():
        if n:  # CORD labels no seller
            print(f"gold {f:8s} still right after completion: {ok}/{n} ({ok / n:.1%})")
    print(
        f"gold totals flagged by the total check (false alarms): {false_flags}/{checked} ({false_flags / checked:.1%})"
    )


def record_checks(dataset: Path, output: Path) -> None:
    gold = load_gold(dataset / "gold.jsonl")
    records = DeltaTable(str(output / "records")).to_pandas()
    right = {f: [0, 0] for f in ("company", "address")}
    wrong_totals = flagged = 0
    for row in records.itertuples():
        doc_id = Path(row.source_path).stem
        if doc_id not in gold:
            continue
        text = (dataset / "docs" / f"{doc_id}.txt").read_text(encoding="utf-8")
        stored = getattr(row, "model_values", None)
        model = json.loads(stored) if isinstance(stored, str) else {}  # absent in tables written before it
        answer = {f: model.get(f, getattr(row, f)) for f in right}
        completed = {**answer, **complete(answer, text)}
        for f in right:  # a field without a label (one SROIE receipt has no address) counts as wrong both ways
            right[f][0] += field_correct(f, answer[f], gold[doc_id].get(f))
            right[f][1] += field_correct(f, completed[f], gold[doc_id].get(f))
        expected = parse_amount(gold[doc_id].get("total"))
        if expected is not None and Decimal(str(row.total)) != expected:
            wrong_totals += 1
            hit = bool(total_problem({"total": Decimal(str(row.total))}, CheckedDocument(text, {})))
            flagged += hit
            print(f"  wrong total {doc_id}: {row.total} (label {expected}) {'flagged' if hit else 'NOT flagged'}")
    n = len(records)
    for f, (before, after) in right.items():
        print(f"records {f:8s} right: model's answer {before}/{n}, after completion {after}/{n}")
    print(f"wrong totals: {wrong_totals}, flagged by the total check: {flagged}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", type=Path, help="folder with docs/ and gold.jsonl")
    parser.add_argument("--records", type=Path, help="output folder of `extraction-pipeline evaluate`")
    args = parser.parse_args()
    gold_checks(args.dataset)
    if args.records:
        record_checks(args.dataset, args.records)


if __name__ == "__main__":
    main()
