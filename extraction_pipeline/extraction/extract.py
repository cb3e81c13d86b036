"""One document in, one outcome out: a validated record, or quarantine with the reason.

The loop: ask; parse; let the document type's pack complete values the model cut short (a name or
address, from the document's lines); validate, mend slips the re-asks did not (an identifier
joined from separately printed tokens, `grounding.printed_pieces`; a long value copied from a
text layer with a letter swapped or dropped, `near_copies`; a line's numbers other than
those of the row printing it, `item_rows.numbers_from_rows`, or of a till's row,
`till_rows.numbers_from_till_rows`; a line of amount 0 that no row near its name prints,
`item_rows.zeros_printed_nowhere_dropped`; a line amount multiplied out,
`grounding.amounts_multiplied_out`), ground every value in the document text, and run the pack's
checks; on a parse, validation, grounding or check problem, re-ask with the problem quoted (about
only the fields in question where the answer was valid JSON: `_to_reask`), at most `max_reasks`
times and within the document's token and cost budgets. An answer cut off by the token limit is not
re-asked as if the model had made a mistake (asking again would be cut off the same way), unless it
was cut off while repeating itself: a small model's loop, which a re-ask can break. One cut off
inside its rows (the line items did not fit one answer) is asked again in halves of the document,
a half cut off there halved again, and the answers merged as a long document's parts are
(parts.py), the values it completed before the cut first; the merged record's flagged header
values are then asked of the whole page once. An LLM fault
that survived the SDK's retries ends the document at once. Usage from every attempt is kept, so
cost and tokens are never under-counted.

A document read with OCR gets the page and box of each value on its image, and a value with a
character the OCR engine was unsure of is flagged: no model can mend a misread digit. Where the
model reads images, the pages can go along with their OCR text (`send_page_images`).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from extraction_pipeline.doctypes.packs import AUTO, DocumentType, nested_fields, number_fields
from extraction_pipeline.doctypes.schemas import llm_json_schema, only_fields
from extraction_pipeline.documents.reading import Document, RejectedFile, page_jpegs
from extraction_pipeline.extraction.amounts import in_document_notation, resolve_grouping
from extraction_pipeline.extraction.dates import implausible_dates, resolve_order
from extraction_pipeline.extraction.grounding import (
    Evidence,
    amounts_multiplied_out,
    currency_printed_nowhere,
    ground,
    on_pages,
    printed_alternatives,
    printed_pieces,
    ungrounded_message,
)
from extraction_pipeline.extraction.item_rows import numbers_from_rows, zeros_printed_nowhere_dropped
from extraction_pipeline.extraction.near_copies import near_copies
from extraction_pipeline.extraction.parsing import (
    OutputError,
    RepetitionLoop,
    ValidationFailure,
    cut_inside_list,
    extract_json_object,
    repetition_loop,
    validate_record,
)
from extraction_pipeline.extraction.parts import (
    completed_before_the_cut,
    merge,
    other_merges,
    part_document,
    relaxed,
    split,
)
from extraction_pipeline.extraction.till_rows import numbers_from_till_rows, numbers_of_an_invalid_line
from extraction_pipeline.llm.client import MAX_ANSWER_CHARS, OVERSIZED, Completion, LLMError
from extraction_pipeline.llm.prompts import PromptTemplate


class CompletionClient(Protocol):
    model: str

    def complete(self, messages: list[dict[str, Any]], schema_name: str, schema: dict[str, Any]) -> Completion: ...


@dataclass(frozen=True)
class ExtractionSettings:
    # A pack's name, or "auto": detect each document's type (see doctypes/detection.py).
    document_type: str = AUTO
    max_reasks: int = 2
    token_budget_per_document: int = 6000
    cost_budget_per_document_usd: float | None = None
    grounding: bool = True
    # Let the pack complete values the model cut short from the document's own lines (checks/layout.py).
    complete_from_layout: bool = True
    # Fields whose value must be found in the document; other ungrounded values are kept and flagged.
    quarantine_ungrounded: tuple[str, ...] = ()
    # A value with a character OCR read less confidently than this is flagged (0 turns the flag off);
    # docs/ocr.md has what each threshold catches on scanned receipts.
    ocr_min_confidence: float = 0.5
    # Send the page images of a document read with OCR along with its text (a model that reads images).
    send_page_images: bool = False
    # A longer document is extracted in parts of at most this many characters (see parts.py).
    max_part_chars: int = 12_000


@dataclass(frozen=True)
class LLMCall:
    """One request to the LLM, as recorded with the extraction."""

    attempt: int
    model: str
    prompt: str  # name@vVERSION#hash
    prompt_version: str
    prompt_sha256: str
    latency_s: float
    # A request that failed before any answer keeps the defaults: nothing used, nothing paid.
    input_tokens: int = 0
    cached_input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = 0.0
    finish_reason: str | None = None
    raw_output: str | None = None
    cached: bool = False  # answered from the cache: latency and cost are this call's, not the original's
    error_kind: str | None = None
    error: str | None = None


@dataclass
class ExtractionOutcome:
    document_id: str
    source_path: str
    document_type: str
    status: str  # "valid" or "quarantined"
    record: dict[str, Any] | None = None
    error_kind: str | None = None
    reason: str | None = None
    calls: list[LLMCall] = field(default_factory=list)
    evidence: dict[str, Evidence] = field(default_factory=dict)
    # Fields flagged after the last attempt: not found in the document, or found where that field is not printed.
    ungrounded: list[str] = field(default_factory=list)
    # Why they are: the problems of the answer kept, as a re-ask would quote them.
    flag_reasons: str = ""
    reused_from: str | None = None  # a near-duplicate document whose answer this one took, without a call
    reuse_refused: bool = False  # a near duplicate was found, but its answer is not all in this document
    # The model's own values where the record holds others, for audit: fields completed from the
    # document's lines, and optional fields set to null because the model's value stayed invalid.
    model_values: dict[str, Any] = field(default_factory=dict)
    # Fields with a character OCR read with low confidence.
    low_confidence: list[str] = field(default_factory=list)
    # Dates (03/04/2024) and amounts (6.364) printed ambiguously where the document does not say
    # which reading it means (dates.py, amounts.py).
    ambiguous: list[str] = field(default_factory=list)
    # How many parts a long document was extracted in (parts.py); 1 for a whole document.
    parts: int = 1
    # How the document type was decided: "config", "folder" or "markers" (doctypes/detection.py).
    type_decided_by: str | None = None

    @property
    def last_raw_output(self) -> str | None:
        outputs = [c.raw_output for c in self.calls if c.raw_output is not None]
        return outputs[-1] if outputs else None

    @property
    def tokens(self) -> int:
        return sum(c.input_tokens + c.output_tokens for c in self.calls)


def extract_document(
    doc: Document,
    client: CompletionClient,
    doc_type: DocumentType,
    reask: PromptTemplate,
    settings: ExtractionSettings,
) -> ExtractionOutcome:
    pieces = split(doc.text, settings.max_part_chars)
    if len(pieces) > 1:
        outcome = _in_parts(doc, [(text, 0) for text in pieces], client, doc_type, reask, settings)
    else:
        outcome = _ask_until_valid(doc, client, doc_type, reask, settings)
        list_fields = nested_fields([doc_type])
        halves = _halves(doc.text, outcome, list_fields)
        if halves:
            given = completed_before_the_cut(outcome.last_raw_output or "", doc_type, doc.text)
            halved = [(text, 1) for text in halves]
            outcome = _in_parts(doc, halved, client, doc_type, reask, settings, spent=outcome.calls, given=given)
    if outcome.status == "valid":
        settle(outcome, doc, settings.ocr_min_confidence)
    return outcome


# A part whose answer is cut off inside its rows again is halved again, at most this many times in all.
_MAX_HALVINGS = 3


def _halves(text: str, outcome: ExtractionOutcome, list_fields: list[str]) -> list[str]:
    """The text in two halves (a table's header kept with the second) when its answer was cut off
    by the output limit inside its rows; [] otherwise, or when the text is one line."""
    if outcome.error_kind != "truncated" or not cut_inside_list(outcome.last_raw_output or "", list_fields):
        return []
    halves = split(text, len(text) // 2 + 1)
    return halves if len(halves) > 1 else []


def _in_parts(
    doc: Document,
    pieces: list[tuple[str, int]],
    client: CompletionClient,
    doc_type: DocumentType,
    reask: PromptTemplate,
    settings: ExtractionSettings,
    spent: list[LLMCall] | None = None,
    given: dict[str, Any] | None = None,
) -> ExtractionOutcome:
    """A document too long for one request or one answer: each part (text, times halved) asked and
    re-asked on its own, the answers merged and then validated, grounded and checked as one record
    (parts.py); where that has a field flagged, other parts' numbers and values for the flagged fields
    are tried in its place (`parts.other_merges`). `spent`: the calls of an answer for the whole
    document, kept for their usage; `given`: the values it completed, which stand before any part's.
    The parts are still asked for every field: the 1.5B model, asked for the line items and totals
    alone, answered a part of 20 rows with none."""
    outcome = ExtractionOutcome(doc.document_id, doc.source_path, doc_type.name, "quarantined", calls=[*(spent or [])])
    part_type, list_fields, answers = relaxed(doc_type), nested_fields([doc_type]), [given or {}]
    queue = list(pieces)
    while queue:
        text, halvings = queue.pop(0)
        number, outcome.parts = len(answers), len(answers) + len(queue)  # answers[0] holds `given`
        part = _ask_until_valid(part_document(doc, text, number, outcome.parts), client, part_type, reask, settings)
        outcome.calls += part.calls
        halves = _halves(text, part, list_fields) if halvings < _MAX_HALVINGS else []
        if halves:
            queue[:0] = [(half, halvings + 1) for half in halves]
            continue
        if part.status != "valid" or part.record is None:
            reason = f"part {number} of {outcome.parts}: {part.reason}"
            return _finish(outcome, part.error_kind or "unknown", reason)
        answers.append(part.record)
    merged = merge(answers, list_fields)
    try:
        whole = _examine(merged, doc, doc_type, settings)
    except OutputError as exc:
        return _finish(outcome, exc.kind, f"the answers of the {outcome.parts} parts, merged, are not valid:\n{exc}")
    tried = (number_fields(doc_type) | _top_fields(whole.flagged)) - set(list_fields)
    for other in other_merges(merged, answers, tried) if whole.flagged else []:
        try:
            examined = _examine(other, doc, doc_type, settings)
        except OutputError:
            continue
        if _top_fields(examined.flagged) < _top_fields(whole.flagged):  # fewer flagged, and none newly
            whole, merged = examined, other
    if given is not None:  # the document fits one request: a flagged single value is asked of all of it
        whole = _asked_of_the_whole(whole, merged, doc, client, doc_type, reask, settings, outcome)
    strict = sorted(set(whole.flagged) & set(settings.quarantine_ungrounded))
    if strict:
        return _finish(outcome, "ungrounded", _strictly_flagged(whole, strict))
    return _accept(outcome, whole)


def _asked_of_the_whole(
    examined: _Examined,
    merged: dict[str, Any],
    doc: Document,
    client: CompletionClient,
    doc_type: DocumentType,
    reask: PromptTemplate,
    settings: ExtractionSettings,
    outcome: ExtractionOutcome,
) -> _Examined:
    """The merged record of a document halved for its rows, its flagged single values (a total a
    part of rows made up, the customer for the issuer) asked about once more on the whole document,
    as the re-ask of a whole answer would: a few fields fit an answer that all the rows did not.
    Like any re-ask, only within the document's budget; the answer is kept where it leaves fewer
    values flagged."""
    lists = nested_fields([doc_type])
    flagged = _top_fields(examined.flagged) - examined.worked_out - set(lists)
    asked = tuple(f for f in doc_type.model.model_fields if f in flagged)
    if not asked or _document_budget_spent(outcome, settings):
        return examined
    problem = _problem_quoted(examined.problems, asked, doc, doc_type)
    messages = _about_fields(doc_type.prompt.render(document_text=doc.text), reask, problem, asked)
    attempt = len(outcome.calls) + 1
    try:
        completion = client.complete(messages, doc_type.name, only_fields(llm_json_schema(doc_type.model), asked))
    except LLMError as exc:
        outcome.calls.append(failed_call(attempt, client.model, doc_type.prompt, exc))
        return examined
    call = call_record(attempt, doc_type.prompt, completion)
    try:
        again = _examine({**merged, **_values_given(completion.text, asked, doc)}, doc, doc_type, settings)
    except OutputError as exc:
        outcome.calls.append(replace(call, error_kind=exc.kind, error=str(exc)))
        return examined
    outcome.calls.append(call)
    return again if len(again.flagged) < len(examined.flagged) else examined


def settle(outcome: ExtractionOutcome, doc: Document, min_confidence: float) -> None:
    """What a valid record gets from its document after the last answer: dates and amounts printed
    ambiguously in the document's notation (or flagged), and for a scan the page and box of each value, with the
    values that hold a character OCR was unsure of flagged."""
    assert outcome.record is not None
    outcome.record, dates = resolve_order(outcome.record, outcome.evidence, doc.text)
    outcome.record, amounts = resolve_grouping(outcome.record, outcome.evidence, doc.text)
    outcome.ambiguous = dates + amounts
    if not doc.ocr_lines:
        return
    outcome.evidence = on_pages(outcome.evidence, doc.ocr_lines)
    outcome.low_confidence = [
        name
        for name, e in outcome.evidence.items()
        if e.ocr_confidence is not None and e.ocr_confidence < min_confidence
    ]


def _ask_until_valid(
    doc: Document,
    client: CompletionClient,
    doc_type: DocumentType,
    reask: PromptTemplate,
    settings: ExtractionSettings,
) -> ExtractionOutcome:
    prompt, schema = doc_type.prompt, llm_json_schema(doc_type.model)
    outcome = ExtractionOutcome(doc.document_id, doc.source_path, doc_type.name, "quarantined")
    messages = prompt.render(document_text=doc.text)
    if settings.send_page_images and doc.ocr_pages:
        try:
            messages = with_page_images(messages, page_jpegs(doc))
        except RejectedFile as exc:  # moved or replaced since it was read
            return _finish(outcome, "unreadable", str(exc))
    first = messages
    flagged_answers: list[_Examined] = []  # valid answers with a flagged value, in the order they came
    asked: tuple[str, ...] | None = None  # the fields a re-ask asks for; None: a whole answer
    corrected: dict[str, Any] = {}  # the answer whose `asked` fields a re-ask corrects
    for attempt in range(1, settings.max_reasks + 2):
        try:
            completion = client.complete(messages, doc_type.name, only_fields(schema, asked) if asked else schema)
        except LLMError as exc:
            return _quarantine(outcome, failed_call(attempt, client.model, prompt, exc))
        call = call_record(attempt, prompt, completion)
        looped = _looped(completion)
        if completion.finish_reason == "length" and not looped:
            reason = f"the answer hit the output token limit ({completion.output_tokens} tokens)"
            return _quarantine(outcome, replace(call, error_kind="truncated", error=reason))
        if completion.finish_reason == OVERSIZED:
            reason = f"the answer was over {MAX_ANSWER_CHARS} characters; only its start is kept"
            return _quarantine(outcome, replace(call, error_kind="oversized_answer", error=reason))
        if completion.finish_reason == "content_filter":
            reason = "the provider's content filter withheld the answer"
            return _quarantine(outcome, replace(call, error_kind="content_filter", error=reason))
        answer: dict[str, Any] | None = None
        try:
            if looped:
                raise looped
            answer = {**corrected, **_values_given(completion.text, asked, doc)}
            examined = _examine(answer, doc, doc_type, settings)
            if examined.flagged and set(examined.flagged) <= examined.worked_out:
                final = Ungrounded(examined.problems, examined.flagged)  # recorded as any flagged answer is
                outcome.calls.append(replace(call, error_kind=final.kind, error=str(final)))
                why = "not re-asked: the values flagged are printed nowhere (worked out from the page, or a currency)"
                return _give_up(outcome, settings, final, examined, why)
            if examined.flagged:
                flagged_answers.append(examined)
                raise Ungrounded(examined.problems, examined.flagged)
        except OutputError as exc:
            error = exc
            outcome.calls.append(replace(call, error_kind=exc.kind, error=str(exc)))
        else:
            outcome.calls.append(call)
            return _accept(outcome, examined)  # nothing flagged: Ungrounded was raised otherwise
        last = attempt > settings.max_reasks
        spent = None if last else _document_budget_spent(outcome, settings)
        if last or spent:
            why = f"not re-asked: {spent}" if spent else f"still invalid after {len(outcome.calls)} attempts"
            best = _best_of(flagged_answers)
            if best is None and answer is not None and isinstance(error, ValidationFailure):
                best = _without_invalid_optionals(answer, error, doc, doc_type, settings)
            return _give_up(outcome, settings, error, best, why)
        problem = _problem_quoted(str(error), getattr(error, "fields", ()), doc, doc_type)
        asked = _to_reask(error, answer, schema)
        if asked and answer is not None:  # the answer is not played back: the model would copy it
            corrected = answer
            messages = _about_fields(first, reask, problem, asked)
        else:
            corrected = {}
            said = looped.kept if looped else completion.text  # a loop is not played back to the model
            messages = (
                messages + [{"role": "assistant", "content": said}] + reask.render(error=problem, fields="every field")
            )
    raise AssertionError("unreachable: the loop returns on its last attempt")


def _looped(completion: Completion) -> RepetitionLoop | None:
    """An answer the output token limit cut off while it repeated itself, as a problem to re-ask
    with. (An answer over MAX_ANSWER_CHARS is not: a server that sends megabytes ignores the limit,
    and would do so again.)"""
    loop = repetition_loop(completion.text) if completion.finish_reason == "length" else None
    return RepetitionLoop(completion.text, *loop) if loop else None


def with_page_images(messages: list[dict[str, Any]], jpegs: list[bytes]) -> list[dict[str, Any]]:
    """The last user message with the page images after its text, in OpenAI's content-parts form."""
    last = max(i for i, m in enumerate(messages) if m["role"] == "user")
    parts = [{"type": "text", "text": messages[last]["content"]}] + [
        {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64," + base64.b64encode(jpeg).decode()}}
        for jpeg in jpegs
    ]
    return [*messages[:last], {"role": "user", "content": parts}, *messages[last + 1 :]]


class Ungrounded(OutputError):
    """A valid record with values that are not in the document, or that fail a check."""

    kind = "ungrounded"

    def __init__(self, message: str, flagged: list[str]):
        super().__init__(message)
        self.flagged = flagged


def _to_reask(error: OutputError, answer: dict[str, Any] | None, schema: dict[str, Any]) -> tuple[str, ...] | None:
    """The top-level fields a re-ask asks for, or None for a whole new answer (no JSON object, a loop).

    Shown its answer and asked for the whole record again, a small model mostly copies that answer,
    wrong value and all (20 of 29 re-asks on the invoice tuning part were the same text, with
    Qwen2.5-Coder 1.5B), and it mostly copied them again when asked, after its answer, for only the
    wrong fields. So a re-ask about some fields follows the first request without the answer,
    quotes the problems, and its schema holds only those fields: the model reads them from the
    document afresh (23 of those 29 re-asks changed a value asked about) and writes a few tokens
    instead of the whole record with its line items. The other fields are kept from the answer
    corrected."""
    if answer is None:
        return None
    wrong = _top_fields(error.flagged if isinstance(error, Ungrounded) else list(getattr(error, "fields", ())))
    return tuple(f for f in schema["properties"] if f in wrong) or None


def _values_given(answer_text: str, asked: tuple[str, ...] | None, doc: Document) -> dict[str, Any]:
    """An answer's values in the document's notation; of a re-ask's answer, only the fields it was
    asked for (a server that ignores the schema may send every field; only the asked ones may change)."""
    answer = extract_json_object(answer_text)
    return in_document_notation(answer if asked is None else {f: answer[f] for f in asked if f in answer}, doc.text)


def _problem_quoted(problems: str, fields: tuple[str, ...], doc: Document, doc_type: DocumentType) -> str:
    """A re-ask's text about `fields`: the problems, the values printed that could be meant, and the pack's note."""
    return problems + printed_alternatives(doc_type.model, fields, doc.text) + doc_type.note_for(fields, doc.text)


def _about_fields(
    first: list[dict[str, Any]], reask: PromptTemplate, problem: str, asked: tuple[str, ...]
) -> list[dict[str, Any]]:
    """The first request followed by the problem, asking for `asked` only (see `_to_reask`)."""
    return first + reask.render(error=problem, fields=f"only these fields: {', '.join(asked)}")


def _accept(outcome: ExtractionOutcome, kept: _Examined) -> ExtractionOutcome:
    outcome.status, outcome.record, outcome.evidence = "valid", kept.record, kept.evidence
    outcome.ungrounded, outcome.flag_reasons = kept.flagged, kept.problems if kept.flagged else ""
    outcome.model_values = kept.model_values
    return outcome


@dataclass(frozen=True)
class _Examined:
    """A valid answer as a record, with what grounding and the checks found wrong in it."""

    record: dict[str, Any]
    evidence: dict[str, Evidence]
    flagged: list[str]  # fields not in the document, failing a check, or dropped as invalid
    problems: str  # the re-ask's text about them
    model_values: dict[str, Any]  # the model's own values where the record holds others
    # Fields printed nowhere that no re-ask can change: worked out by the pack from the page (a tax
    # total summed from the rates' lines), or a currency on a document that prints none. Flagged
    # for a reviewer, not re-asked.
    worked_out: frozenset[str] = frozenset()


def _examine(answer: dict[str, Any], doc: Document, doc_type: DocumentType, settings: ExtractionSettings) -> _Examined:
    """Complete, validate (raises ValidationFailure), mend joined identifiers, values copied with a
    slip from a text layer (near_copies.py), line numbers that differ from their printed row
    (item_rows.py, till_rows.py) and multiplied-out line amounts, ground and check one parsed
    answer; the model's value of anything completed or mended is kept in model_values."""
    completed = doc_type.complete(answer, doc.text) if settings.complete_from_layout else {}
    record = validate_record({**answer, **completed}, doc_type.model).model_dump(mode="python")
    mended = {}
    if settings.grounding:
        from_rows = numbers_from_rows(record, doc.text)
        from_rows |= numbers_from_till_rows({**record, **from_rows}, doc.text)
        from_rows |= zeros_printed_nowhere_dropped({**record, **from_rows}, doc.text)
        multiplied = amounts_multiplied_out({**record, **from_rows}, doc.text)
        pieces = printed_pieces(record, doc.text)
        unpieced = {f: v for f, v in record.items() if f not in pieces}
        copies = {} if doc.ocr_lines else near_copies(unpieced, doc.text)
        mended = {**pieces, **copies, **from_rows, **multiplied}
    model_values = {**{f: record[f] for f in mended}, **{f: answer.get(f) for f in completed}}  # the model's own
    record.update(mended)
    evidence = ground(record, doc.text) if settings.grounding else {}
    missing = [f for f, e in evidence.items() if e.status == "missing"]
    doubtful = {**implausible_dates(record, evidence, doc.text), **doc_type.problems(record, doc.text, evidence)}
    return _Examined(
        record,
        evidence,
        list(dict.fromkeys(missing + list(doubtful))),
        "\n".join(filter(None, [ungrounded_message(record, missing, doc.text), *doubtful.values()])),
        model_values,
        frozenset(f for f in missing if f not in doubtful and (f in completed or _inferred(f, record, doc, doc_type))),
    )


def _inferred(field: str, record: dict[str, Any], doc: Document, doc_type: DocumentType) -> bool:
    """A currency the schema requires, on a document that prints none: the model could only infer
    it (an invoice that prints `Betrag 608,33`), and re-asked it answers the same. Where the schema
    lets it be null (a receipt's currency as printed), a re-ask may rightly bring null."""
    required = doc_type.model.model_fields.get(field)
    return required is not None and required.is_required() and currency_printed_nowhere(record.get(field), doc.text)


def _best_of(answers: list[_Examined]) -> _Examined | None:
    """The record to keep when every answer has a flagged value: the one with the fewest fields
    flagged (a list of lines counts as one), the earlier one on a tie (a re-ask that trades one
    flag for another has not shown the first answer wrong)."""
    return min(answers, key=lambda a: len(_top_fields(a.flagged))) if answers else None  # min keeps the first


def _top_fields(names: list[str]) -> set[str]:
    """`line_items[2].line_total` -> `line_items`: a list is counted, and re-asked, whole."""
    return {name.split("[")[0].split(".")[0] for name in names}


def _without_invalid_optionals(
    answer: dict[str, Any],
    error: ValidationFailure,
    doc: Document,
    doc_type: DocumentType,
    settings: ExtractionSettings,
) -> _Examined | None:
    """The last answer with the optional fields that are still invalid set to null and flagged, the
    model's values kept in model_values: a receipt's total is not lost to a date the model made up
    from an amount (`32.728`) on a till slip that prints none. Of a list (line items) only the
    invalid entries go, and one whose name starts a single till row takes that row's numbers
    instead (till_rows.py); the rest of the list stays. None when that is not enough (a required
    field is invalid, or the rest then fails too)."""
    dropped = {f: answer.get(f) for f in error.fields}
    kept_values: dict[str, Any] = dict.fromkeys(dropped)
    for f, value in dropped.items():
        bad = {i for name, i in error.entries if name == f}
        if isinstance(value, list) and bad:
            read = [
                entry if i not in bad else numbers_of_an_invalid_line(entry, doc.text) for i, entry in enumerate(value)
            ]
            kept_values[f] = [entry for entry in read if entry is not None]
    try:
        kept = _examine({**answer, **kept_values}, doc, doc_type, settings)
    except OutputError:
        return None
    flagged = list(dict.fromkeys([*dropped, *kept.flagged]))
    listed = {f for f, value in kept_values.items() if isinstance(value, list)}
    why = [
        f"- {f}: still invalid after the re-asks, "
        f"{'its invalid entries read from their printed rows or left out' if f in listed else 'set to null'}"
        " (the model's value is in model_values)."
        for f in dropped
    ]
    problems = "\n".join(filter(None, [kept.problems, *why]))
    return replace(kept, flagged=flagged, problems=problems, model_values={**kept.model_values, **dropped})


def _give_up(
    outcome: ExtractionOutcome, settings: ExtractionSettings, error: OutputError, best: _Examined | None, why: str
) -> ExtractionOutcome:
    """Out of attempts or budget. A record whose only faults are flagged values (not in the document,
    failing a check, or an optional one dropped as invalid) is kept and flagged, unless one of those
    fields is configured to quarantine."""
    if best is not None:
        strict = sorted(set(best.flagged) & set(settings.quarantine_ungrounded))
        if not strict:
            return _accept(outcome, best)
        return _finish(outcome, "ungrounded", f"{why}; {_strictly_flagged(best, strict)}\n{error}")
    return _finish(outcome, error.kind, f"{why}:\n{error}")


def _strictly_flagged(examined: _Examined, strict: list[str]) -> str:
    """The quarantine reason names each field with the value given: the problems sent to the model
    leave a wrong date or amount out (grounding.ungrounded_message), but the person deciding what to
    do with the document needs it."""
    values = {**examined.record, **examined.model_values}
    given = [(f, str(values.get(f))) for f in strict]
    shown = [f"{f} (given: {v if len(v) <= 80 else v[:77] + '...'})" for f, v in given]  # a list of lines is long
    return "flagged and configured to quarantine: " + ", ".join(shown)


def _document_budget_spent(outcome: ExtractionOutcome, settings: ExtractionSettings) -> str | None:
    if outcome.tokens >= settings.token_budget_per_document:
        return f"the budget of {settings.token_budget_per_document} tokens per document is used up"
    cost = sum(c.cost_usd or 0.0 for c in outcome.calls)
    if settings.cost_budget_per_document_usd is not None and cost >= settings.cost_budget_per_document_usd:
        return f"the budget of {settings.cost_budget_per_document_usd} USD per document is used up"
    return None


def _quarantine(outcome: ExtractionOutcome, failed_call: LLMCall) -> ExtractionOutcome:
    """End on a call that cannot be mended by re-asking (a fault, a cut-off or filtered answer)."""
    outcome.calls.append(failed_call)
    return _finish(outcome, failed_call.error_kind or "unknown", failed_call.error or "")


def _finish(outcome: ExtractionOutcome, kind: str, reason: str) -> ExtractionOutcome:
    outcome.status, outcome.error_kind, outcome.reason = "quarantined", kind, reason
    return outcome


def call_record(attempt: int, prompt: PromptTemplate, c: Completion) -> LLMCall:
    return LLMCall(
        **_request_fields(attempt, c.model, prompt),
        latency_s=c.latency_s,
        input_tokens=c.input_tokens,
        cached_input_tokens=c.cached_input_tokens,
        output_tokens=c.output_tokens,
        cost_usd=c.cost_usd,
        cached=c.cached,
        finish_reason=c.finish_reason,
        raw_output=c.text,
    )


def failed_call(attempt: int, model: str, prompt: PromptTemplate, exc: LLMError) -> LLMCall:
    return LLMCall(
        **_request_fields(attempt, model, prompt), latency_s=exc.latency_s, error_kind=exc.kind, error=str(exc)
    )


def _request_fields(attempt: int, model: str, prompt: PromptTemplate) -> dict[str, Any]:
    return {
        "attempt": attempt,
        "model": model,
        "prompt": prompt.ref,
        "prompt_version": prompt.version,
        "prompt_sha256": prompt.sha256,
    }
