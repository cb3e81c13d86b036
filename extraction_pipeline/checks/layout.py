"""Names and addresses completed from the document's own lines, with the model's answer as the pointer.

A small model finds the right place on a receipt but stops at a line break: AIK HUAT HARDWARE for a
name printed over three lines, CO. (M) SDN BHD for POPULAR BOOK / CO. (M) SDN BHD, an address without
its first line (the unit and floor) or its last (the postcode and town). Here the model's answer says
*where* the value is printed; the lines around it that belong to the same name or address block are
added from the document as printed. The model's own text is kept for the lines it did copy (it may
have read an OCR slip right), and its original answer is kept with the record, so every completion
can be audited.

Pure functions over text. The rules are layout facts of printed receipts and invoices (a legal form
on the line below the name, an address ending where the phone and tax numbers start), checked
against the SROIE training labels by `benchmarks/layout_rules.py`.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from extraction_pipeline.doctypes.schemas import LEGAL_FORMS
from extraction_pipeline.extraction.values import letters_and_digits

# Lines that end an address block and are never part of a name: contact and tax numbers, headings, prices.
# Words that are also ordinary words (TIME LESS KITCHENETTE) count only as a label: DATE:, TIME 10:21, TABLE #3.
_STOP = re.compile(
    r"\b(TEL|TELEPHONE|PHONE|FAX|MOBILE|WHATSAPP|H/P|HP|GST|SST|TAX\w*|\w*INVOICE|\w*CARELINE|RECEIPT|REG|"
    r"REGISTRATION|ROC|BR\.? ?NO|CO\.? ?NO|COMPANY ?NO|BUSINESS|CASHIER|HTTP|WWW|EMAIL|E-MAIL|CASH|TOTAL|THANK|INV|"
    r"SERVED|OUTLET|PREPAY|CHIT|GUEST|CHECK|"
    # Tax and register numbers as European receipts label them.
    r"VAT|SIRET|SIREN|RCS|TVA|NIF|CIF|NIP|UST|UST-?ID\w*|STEUER\w*|MWST|UID|P\.? ?IVA|PARTITA|BTW|KVK|CVR|"
    r"ORG\.? ?NR|IČO|DIČ|HRB|HRA|AMTSGERICHT|IBAN)\b"
    r"|\b(DATE|TIME|TABLE|ORDER|BILL|QTY|TERMINAL|SLIP|DOCUMENT) ?[:#.\d]|\b([TF]|SITE) ?:"
    r"|:\s*[\d\s+()-]{7,}$|\S@\S|@ ?\d+\.\d|\d{7,}|\d+\.\d\d\b|\d{1,2}[/-]\d{1,2}[/-]\d{2,4}(?![\dA-Z])"
)
# A registration number: (519537-X), 002693074-K, JM0325955-V, (CO.REG : 1234), (GST ID NO: 0011...).
_REGISTRATION = re.compile(r"\(?[A-Z]{0,3}\d{4,}[- .]?[A-Z]\)?|\([^()]*\d{4,}[^()]*\)?")
# Where an address line opens: a number, a unit, a street or a building.
_ADDRESS_OPENER = re.compile(
    r"\b(NO|LOT|UNIT|LEVEL|LVL|FLOOR|FLR|TINGKAT|SUITE|BLOCK|BLK|JALAN|JLN|JL|WISMA|BANGUNAN|PLAZA|KOMPLEKS|"
    r"BATU)\b|\b[A-Z]{0,3}\d+[A-Z]?-|^[A-Z]?\d+[A-Z]?[, ]"
)
# The share of the model's answer the matched lines must hold, or the answer is left as it is.
MIN_COVERAGE = 0.8
_MAX_LINES = 8
# Names and addresses are printed on short lines. Comparing a longer value or line (a hostile file
# with one 1M-character line, an answer copying it) costs time quadratic in its length: not done.
_MAX_COMPARED = 500
_COVERAGE_MARGIN = 0.05


@dataclass(frozen=True)
class Span:
    """Lines first..last of the document (inclusive) and the completed value."""

    first: int
    last: int
    value: str


def lines_of(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines()]


def line_index(text: str, offset: int) -> int:
    """The index in `lines_of(text)` of the line holding `offset`: counted as `splitlines` counts,
    which also breaks at a lone carriage return or a form feed."""
    return len((text[:offset] + "x").splitlines()) - 1


def anchor(value: str, lines: list[str], topmost: bool = False) -> tuple[int, int] | None:
    """The run of whole lines that holds `value` (letters and digits compared) with the least else in it;
    with `topmost`, the first such run from the top (a name repeated lower down is a branch or a footer)."""
    target = letters_and_digits(value)
    if not target or len(target) > _MAX_COMPARED:
        return None
    normed = [letters_and_digits(line) for line in lines]
    # A run starts and ends on lines sharing a 3-character piece with the value: the others cannot match it.
    pieces = {target[i : i + 3] for i in range(max(len(target) - 2, 1))}
    shares = [any(line[i : i + 3] in pieces for i in range(max(len(line) - 2, 1))) for line in normed]
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(target)
    runs: list[tuple[float, float, int, int]] = []  # coverage of the value, share of the run that is the value
    for first in (i for i, shared in enumerate(shares) if shared):
        joined = ""
        for last in range(first, min(len(lines), first + _MAX_LINES)):
            if len(normed[last]) > _MAX_COMPARED:
                break  # no name or address runs over such a line
            joined += normed[last]
            if not shares[last]:
                continue
            matcher.set_seq1(joined)
            if matcher.quick_ratio() * (len(joined) + len(target)) / 2 < MIN_COVERAGE * len(target):
                continue
            matched = sum(block.size for block in matcher.get_matching_blocks())
            if matched >= MIN_COVERAGE * len(target):
                runs.append((matched / len(target), matched / len(joined), first, last))
    if not runs:
        return None
    # A stray letter matched in a following line must not pull that line in: coverage within a margin counts as equal.
    best_coverage = max(run[0] for run in runs)
    close = [run for run in runs if run[0] >= best_coverage - _COVERAGE_MARGIN]
    # Letters matched here and there are no match for a verbatim copy (FACE TO FACE for FTOF).
    close = [run for run in close if target in "".join(normed[run[2] : run[3] + 1])] or close
    _, _, first, last = min(close, key=lambda r: (r[3], -r[1])) if topmost else max(close, key=lambda r: (r[1], -r[2]))
    return first, last


def is_stop_line(line: str) -> bool:
    upper = line.upper()
    return not re.search(r"[A-Z]{2}", upper) or bool(_STOP.search(upper)) or _is_registration(upper)


def _not_a_name(line: str) -> bool:
    """A stop line once its registration number is set aside: 'AEON CO. (M) BHD (126926-H)' can be a name."""
    return is_stop_line(strip_registration(line))


def _is_registration(upper: str) -> bool:
    return bool(_REGISTRATION.fullmatch(upper.strip(" .:")))


def _words(line: str) -> list[str]:
    return [w for w in (w.strip(".,()&:;").upper() for w in line.split()) if w]


def has_legal_form(line: str) -> bool:
    return any(w in LEGAL_FORMS - {"THE", "M"} for w in _words(line))


# Words that say what kind of business it is, not which one: RESTAURANT SDN BHD names no one.
_KIND_OF_BUSINESS = {
    "RESTAURANT", "RESTORAN", "CAFE", "BAKERY", "HARDWARE", "STATIONERY", "BOOK", "BOOKS", "FOOD", "FOODS",
    "SERVICES", "MARKETING", "INDUSTRIES", "HOLDINGS", "RESOURCES", "SUPPLY", "SUPPLIES", "VEGETARIAN",
    "STORE", "STORES", "MART", "SUPERMARKET", "PHARMACY",
}  # fmt: skip


def _continues_a_name(line: str) -> bool:
    """'CO. (M) SDN BHD', '& TEA LEAF (M) SDN. BHD.': a line that opens with a legal form or '&' is the
    tail of a name broken over two lines. So is a legal form with nothing but the kind of business
    before it (RESTAURANT SDN BHD) or two letters, an OCR slip for a legal form (CP. (M) SDN BHD)."""
    words = _words(line)
    if line.lstrip().startswith("&") or (bool(words) and words[0] in LEGAL_FORMS - {"THE"}):
        return True
    return has_legal_form(line) and all(w in LEGAL_FORMS | _KIND_OF_BUSINESS or len(w) <= 2 for w in words)


def strip_registration(name: str) -> str:
    """'AEON CO. (M) BHD (126926-H)' -> 'AEON CO. (M) BHD': a registration number is not part of a name.
    Nor is the bracket it closed: '(TONYMOLY SHOP (95874))' -> 'TONYMOLY SHOP'."""
    match = _REGISTRATION.search(name.upper())
    if not match or match.start() == 0:
        return name
    kept = name[: match.start()].rstrip(" ,.-:")
    return kept[1:].lstrip() if kept.startswith("(") and ")" not in kept else kept


def _completed(value: str, lines: list[str], found: tuple[int, int], first: int, last: int) -> str:
    """The model's text for the lines it gave, the document's text for the lines added around them."""
    if not first <= found[0] <= found[1] <= last:
        return " ".join(lines[first : last + 1])
    before = [*lines[first : found[0]], _uncopied_head(lines[found[0]], value)]
    after = [_uncopied_tail(lines[found[1]], value), *lines[found[1] + 1 : last + 1]]
    return " ".join(part for part in [*before, value.strip(), *after] if part)


_PIECE = 6  # normalised characters that locate the model's first or last words in a printed line


def _alnum_positions(line: str) -> tuple[str, list[int]]:
    positions = [i for i, ch in enumerate(line) if re.fullmatch(r"[A-Z0-9]", ch.upper())]
    return "".join(line[i].upper() for i in positions), positions


def _uncopied_head(line: str, value: str) -> str:
    """The start of the first line that the model left out: 'UNIT G-13, GROUND FLOOR,' of
    'UNIT G-13, GROUND FLOOR, NO.1' when it answered 'NO. 1, JLN KIARA, ...'."""
    printed, positions = _alnum_positions(line)
    wanted = letters_and_digits(value)
    at = next(
        (
            i
            for i in range(len(printed))
            if printed[i : i + _PIECE] == wanted[:_PIECE] or wanted.startswith(printed[i:])
        ),
        0,
    )
    return line[: positions[at]].strip() if at > 0 else ""


def _uncopied_tail(line: str, value: str) -> str:
    """The end of the last line that the model left out."""
    printed, positions = _alnum_positions(line)
    wanted = letters_and_digits(value)
    end = next(
        (
            j
            for j in range(len(printed), 0, -1)
            if printed[max(j - _PIECE, 0) : j] == wanted[-_PIECE:] or wanted.endswith(printed[:j])
        ),
        len(printed),
    )
    return line[positions[end - 1] + 1 :].strip() if end < len(printed) else ""


def name_span(value: str, lines: list[str]) -> Span | None:
    """The seller's name block: the lines the model pointed at, plus the line holding the legal form when
    the name breaks before it (POPULAR BOOK / CO. (M) SDN BHD), and the rest of an open bracket."""
    found = anchor(value, lines, topmost=True)
    if found is None or _not_a_name(lines[found[0]]):
        return None
    first, last = found
    if first > 0 and _continues_a_name(lines[first]) and not _not_a_name(lines[first - 1]):
        first -= 1
    if not has_legal_form(" ".join(lines[first : last + 1])):
        first, last = _registered_name(lines, first, last)
    while last + 1 < len(lines) and last - first < 2 and not _not_a_name(lines[last + 1]):
        block = " ".join(lines[first : last + 1])
        if block.count("(") <= block.count(")"):
            break
        last += 1  # an open bracket: ENTERPRISE (SETIA / ALAM) SDN BHD
    if (first, last) == found and first == last:
        # One printed line: the name is the whole line (YHM AEON TEBRAU CITY, not AEON TEBRAU CITY).
        value = lines[first]
    return Span(first, last, strip_registration(_completed(value, lines, found, first, last)))


def _registered_name(lines: list[str], first: int, last: int) -> tuple[int, int]:
    """A brand on top (NANDO'S, MORGANFIELD'S) is followed within a few lines by the registered name
    with its legal form: that is the seller's name. A bare legal form there (SDN BHD, CO. (M) SDN BHD)
    finishes the name above it instead."""
    for k in range(last + 1, min(len(lines), last + 4)):
        line = strip_registration(lines[k])
        if is_stop_line(line) or _ADDRESS_OPENER.search(line.upper()):
            break
        if has_legal_form(line):
            if _name_words(line) > 1:
                return k, k
            return (first, k) if k == last + 1 else (k - 1, k)
    below = lines[last + 1 : last + 3]
    if len(below) == 2 and not _not_a_name(below[0]) and _is_registration(below[1].upper()):
        return first, last + 1  # the registration number closes the name: RESTAURANT JIAWEI / JIAWEI HOUSE
    return first, last


def _name_words(line: str) -> int:
    return sum(w not in LEGAL_FORMS for w in _words(line))


def address_span(value: str, lines: list[str], name: Span | None = None) -> Span | None:
    """The address block: the lines the model pointed at, widened up to the first line that opens an
    address (a number, unit or street) below the name, and down to the first phone, tax or registration line."""
    found = anchor(value, lines)
    if found is None:
        return None
    if any(is_stop_line(lines[i]) for i in range(found[0], found[1] + 1)):
        # The model copied a phone or registration line too: keep the longest stretch without one.
        stretch = _longest_stretch(lines, *found)
        if stretch is None:
            return None
        first, last = found = stretch
        value = " ".join(lines[first : last + 1])
    first, last = found
    floor = name.last + 1 if name is not None and name.last < first else 0
    i = first - 1
    while i >= floor and not is_stop_line(lines[i]) and not has_legal_form(lines[i]) and first - i < _MAX_LINES:
        if _ADDRESS_OPENER.search(lines[i].upper()):
            first = i
        i -= 1
    while (
        last + 1 < len(lines)
        and not is_stop_line(lines[last + 1])
        and not has_legal_form(lines[last + 1])
        and last - first < _MAX_LINES - 1
    ):
        last += 1
    return Span(first, last, _completed(value, lines, found, first, last))


def _longest_stretch(lines: list[str], first: int, last: int) -> tuple[int, int] | None:
    stretches, start = [], first
    for i in range(first, last + 2):
        if i == last + 1 or is_stop_line(lines[i]):
            if i > start:
                stretches.append((start, i - 1))
            start = i + 1
    return max(stretches, key=lambda s: len(letters_and_digits(" ".join(lines[s[0] : s[1] + 1]))), default=None)


# The fields each rule applies to, across document types.
NAME_FIELDS = ("company", "issuer")
ADDRESS_FIELDS = ("address",)


def complete(answer: dict[str, Any], text: str) -> dict[str, str]:
    """The name and address values of a raw answer completed from the document's lines: {field: value},
    only for the values that change.

    A name found below the seller's address is the customer's (a 'bill to' block); the seller's name is
    then the first name printed at the top. Unless it carries a registration number: that is the legal
    entity behind a brand (DOMMAL FOOD SERVICES SDN BHD / CO. NO. 419060-A at the foot of a DOMINO'S
    receipt)."""
    lines = lines_of(text)
    name_field = next((f for f in NAME_FIELDS if isinstance(answer.get(f), str)), None)
    address_field = next((f for f in ADDRESS_FIELDS if isinstance(answer.get(f), str)), None)
    name = name_span(answer[name_field], lines) if name_field else None
    address = address_span(answer[address_field], lines, name) if address_field else None
    if (
        name is not None
        and address is not None
        and name.first > address.last
        and not registered(lines, name.first, name.last)
    ):
        top = next((k for k in range(address.first) if not _not_a_name(lines[k])), None)
        name = name_span(lines[top], lines) if top is not None else name
        address = address_span(answer[address_field], lines, name)
    changed = {}
    for field, span in ((name_field, name), (address_field, address)):
        if field is not None and span is not None and span.value != answer[field].strip():
            changed[field] = span.value
    return changed


_REGISTRATION_LABEL = re.compile(r"\b(CO|COMPANY|ROC|REG)\b\W*(NO|REG)?\b")


def registered(lines: list[str], first: int, last: int) -> bool:
    """The name printed on lines first..last, or the line below it, carries a company registration number."""
    own = " ".join(lines[first : last + 1])
    below = lines[last + 1] if last + 1 < len(lines) else ""
    return strip_registration(own) != own or bool(_REGISTRATION_LABEL.search(below.upper()))
