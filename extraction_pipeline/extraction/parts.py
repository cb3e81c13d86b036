"""Documents longer than one request should carry: extracted in parts whose answers are merged.

A document is never cut to fit. Its text is split at line breaks into parts of at most
`max_part_chars`; a part that starts inside an item table gets the table's header line again, so
the model reads its rows as rows. Every part is asked with the type's prompt and a relaxed model
(every field optional: the invoice number is on page 1, the total on page 4). The answers are merged:
each single value from the first part that gives it, list fields (`line_items`) from every part in
order, with a row repeated across a seam dropped. Where that merge has a field flagged, another
part's numbers (the values the sums checks relate: a wrong one may leave another flagged, not
itself) and its values for the flagged fields are tried in its place; a merge that flags only some
of the same fields is kept, so a name no check doubts is never traded for a fragment's. A document
asked again in parts because its whole answer was cut off inside its rows keeps that answer's
values completed before the cut (the model had read the whole document for them) ahead of any
part's. The merged record is then examined as a whole document's answer is (`extract._examine`:
validated with the type's own model, grounded in the whole text, its dates and the type's checks
run); what fails is flagged or quarantined with the reason, and the record's `parts` says how many
parts it took.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Annotated, Any, Optional

from pydantic import ConfigDict, Field, ValidationError, create_model

from extraction_pipeline.doctypes.packs import DocumentType, nested_fields
from extraction_pipeline.documents.reading import Document
from extraction_pipeline.extraction.amounts import in_document_notation
from extraction_pipeline.extraction.parsing import pairs_before_the_cut

# Words of an item table's header row in the languages detection knows.
_HEADER_WORDS = re.compile(
    r"\b(POS|QTY|QUANTITY|MENGE|ANZAHL|QUANTITÉ|QTÉ|AANTAL|CANTIDAD|DESCRIPTION|BESCHREIBUNG|BEZEICHNUNG|ARTIKEL"
    r"|ARTICLE|DÉSIGNATION|OMSCHRIJVING|ITEM|PRICE|PREIS|EINZELPREIS|PRIX|PRIJS|PRECIO|AMOUNT|BETRAG|MONTANT"
    r"|BEDRAG|IMPORTE|UNIT|EINHEIT|UNITÉ)\b",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d")


def split(text: str, max_chars: int) -> list[str]:
    """The text in parts of at most `max_chars` (a line longer than that is cut into pieces, never
    dropped), each later part opened by the last table header line seen before it."""
    parts: list[list[str]] = [[]]
    size, header = 0, None
    for whole in text.split("\n"):
        for line in [whole[i : i + max_chars] for i in range(0, len(whole), max_chars)] or [""]:
            if size + len(line) + 1 > max_chars and parts[-1]:
                parts.append([header] if header is not None and len(header) < max_chars // 2 else [])
                size = sum(len(x) + 1 for x in parts[-1])
            parts[-1].append(line)
            size += len(line) + 1
            if is_table_header(line):
                header = line
    return ["\n".join(lines) for lines in parts]


def is_table_header(line: str) -> bool:
    """A row of column names: two or more of them, and no numbers (rows of items print amounts)."""
    return len({w.upper() for w in _HEADER_WORDS.findall(line)}) >= 2 and not _DIGITS.search(line)


def relaxed(doc_type: DocumentType) -> DocumentType:
    """The type with every field optional, for one part: a part may hold any subset of the values."""
    fields: dict[str, Any] = {}
    lists = nested_fields([doc_type])
    for name, info in doc_type.model.model_fields.items():
        annotation = Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation
        default = Field(default_factory=list) if name in lists else None
        fields[name] = (Optional[annotation], default)
    model = create_model(
        f"{doc_type.model.__name__}Part",
        __config__=ConfigDict(extra="ignore"),
        __doc__=f"Part of {doc_type.model.__doc__ or doc_type.name}",
        **fields,
    )
    return dataclasses.replace(doc_type, model=model, checks=(), completer=None)


def completed_before_the_cut(raw_output: str, doc_type: DocumentType, text: str) -> dict[str, Any]:
    """The single values an answer for the whole document completed before the output limit cut it
    off in its rows, each kept only where it is valid on its own (an amount given with five decimals
    is not: the parts are asked for it instead)."""
    lists, model = nested_fields([doc_type]), relaxed(doc_type).model
    completed = {
        k: v for k, v in pairs_before_the_cut(raw_output).items() if k in model.model_fields and k not in lists
    }
    kept = {}
    for name, value in in_document_notation(completed, text).items():
        try:
            model.model_validate({name: value})
        except ValidationError:
            continue
        kept[name] = value
    return kept


def part_document(doc: Document, text: str, number: int, count: int) -> Document:
    """One part as a document of its own: grounded in its own text while it is asked."""
    return dataclasses.replace(
        doc, text=text, ocr_lines=(), ocr_pages=(), document_id=f"{doc.document_id}#{number}/{count}"
    )


def other_merges(first: dict[str, Any], answers: list[dict[str, Any]], fields: set[str]) -> list[dict[str, Any]]:
    """`first`, the first-given merge of `answers`, with another part's values for the single
    `fields`, one per part that gives other values for them (`answers[0]`, the values a cut-off
    answer for the whole document completed, stays first). A part of rows answers header fields from
    its fragment too: the Turkish e-invoice's first half gave a unit price as the total and a phone
    number as the net, and the sums checks then flagged the tax, not them; the part holding the
    totals may give the printed ones. Which merge to keep is the caller's, from what the type's
    checks find in each."""
    taken = [f for f in fields if answers[0].get(f) in (None, "")]
    ways: list[dict[str, Any]] = []
    for answer in answers[1:]:
        way = {**first, **{f: answer[f] for f in taken if answer.get(f) not in (None, "")}}
        if way != first and way not in ways:
            ways.append(way)
    return ways


def merge(answers: list[dict[str, Any]], list_fields: list[str]) -> dict[str, Any]:
    """Single values from the first part that gives them; list fields from every part, in order, a
    row that ends one part and starts the next (read twice across the seam) kept once."""
    merged: dict[str, Any] = {}
    for answer in answers:
        for name, value in answer.items():
            if name in list_fields:
                rows = merged.setdefault(name, [])
                for row in value or []:
                    if not (rows and row == rows[-1]):
                        rows.append(row)
            elif merged.get(name) in (None, "") and value not in (None, ""):
                merged[name] = value
    return merged
