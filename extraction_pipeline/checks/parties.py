"""Who is who on a document that labels its parties: `Verkäufer:` above the seller's name and
address, `Käufer:` above the customer's, `Abweichender Zahlungsempfänger:` above a payee. Form-like
invoices (the ZUGFeRD renderings, most ERP output) print such labels; a small model still answers
the first company it sees: the stylesheet's `(c) AWV e.V.` at the top, or the payee. Where the
document labels its seller, the seller's name is one printed in that block, and a name given in
part is completed from it (`seller_completed`, the invoice pack's `complete`).

PDF text layers split words at kerning gaps (`Ver käufer :`, `Taxiunter nehmen`), so labels and
names are compared with spaces and punctuation dropped.
"""

from __future__ import annotations

import re
from typing import Any

from extraction_pipeline.doctypes.packs import Check, CheckedDocument, Completer
from extraction_pipeline.extraction.values import letters_and_digits

# Labels of the selling and the buying party, in the languages of our documents, upper-cased and
# without spaces (so that they match however the text layer spaced them).
SELLER_LABELS = (
    "VERKÄUFER", "LIEFERANT", "RECHNUNGSERSTELLER", "RECHNUNGSSTELLER", "LEISTUNGSERBRINGER",
    "SELLER", "SUPPLIER", "VENDOR", "VENDEUR", "FOURNISSEUR", "ÉMETTEUR", "EMETTEUR", "VERKOPER", "LEVERANCIER",
)  # fmt: skip
BUYER_LABELS = (
    "KÄUFER", "RECHNUNGSEMPFÄNGER", "LEISTUNGSEMPFÄNGER", "KUNDE", "BUYER", "CUSTOMER", "BILLTO", "SOLDTO",
    "ACHETEUR", "CLIENT", "FACTURÉÀ", "KOPER", "KLANT", "AFNEMER",
)  # fmt: skip
_ALL_LABELS = SELLER_LABELS + BUYER_LABELS
# A block ends at the next label (a party's, or any line ending in a colon) or after this many lines.
_BLOCK_LINES = 5
# What joins a name to something else on its line: a comma, bullet, colon or wide gap.
_PHRASE_BREAK = re.compile(r"[,;:|●•·\t]|\s{3,}")


def named_as_seller(field: str) -> Check:
    """`field` (the seller's name) is printed in the block under the document's seller label, where
    it has one, as a whole line or two (`MVM Musterhafter` / `Versicherungsverein Musterstadt a.G.`),
    not a part of one nor the name run on into its address; not under the buyer's label, nor
    anywhere else (a payee, a footer). Where only the buyer is labelled (`Bill to`, `Client :`), it
    is not the name under that label. A problem does not repeat the name given: the re-ask does not
    show the answer, and a small model shown a wrong name copies it back (docs/accuracy.md)."""

    def check(record: dict[str, Any], doc: CheckedDocument) -> dict[str, str]:
        name = letters_and_digits(without_name_key(str(record.get(field) or "")))
        if not name:
            return {}
        sellers = party_blocks(doc.text, SELLER_LABELS)
        buyers = party_blocks(doc.text, BUYER_LABELS)
        under_buyer = next((b for b, block in buyers if name in letters_and_digits(" ".join(block))), None)
        if not sellers:
            if under_buyer is None:
                return {}
            return {
                field: f"- {field}: the name given is printed under {under_buyer!r}, the customer. Give the name "
                "of the company that issued the document (at its top, or beside its bank and tax details)."
            }
        within = next(((label, lines) for label, lines in sellers if name in letters_and_digits(" ".join(lines))), None)
        if within is not None:
            label, lines = within
            if name in _whole_lines(lines):
                return {}
            holding = [line for line in lines if name in letters_and_digits(line)]
            if holding and not any(_one_phrase(line) for line in holding):
                return {}  # the name before an address on its line: `Acme Ltd, Hauptstr. 1`
            what = "part of a name printed" if holding else "not one or two whole lines of what is printed"
            return {
                field: f"- {field}: the name given is {what} under {label!r}: {_shown(lines)}. "
                "Give the name whole and alone, as printed (it may run over two lines)."
            }
        label, lines = sellers[0]
        where = (
            f"printed under {under_buyer!r}, the customer"
            if under_buyer
            else "not the party the invoice names as seller"
        )
        return {
            field: f"- {field}: the name given is {where}. Under {label!r} the document prints: {_shown(lines)}. "
            f"Give the seller's name as printed there."
        }

    return check


# Legal forms that end a company's name on an invoice (upper-cased, without dots or spaces).
INVOICE_LEGAL_FORMS = {
    "GMBH", "MBH", "AG", "KG", "OHG", "UG", "SE", "EV", "EK", "EG", "VVAG", "SA", "SAS", "SARL", "SASU", "EURL",
    "SNC", "BV", "NV", "VOF", "LTD", "LIMITED", "LLP", "PLC", "INC", "LLC", "CORP", "CO",
}  # fmt: skip


def seller_completed(field: str) -> Completer:
    """`field` (the seller's name), given as a line in the block under the seller's label or part of
    one, completed to that whole line, and to the next line as well when only that one ends in a
    legal form (`Musterhafter` or `MVM Musterhafter` -> `MVM Musterhafter Versicherungsverein
    Musterstadt a.G.`); a form's key given with it is dropped (`Name: Lieferant GmbH`). Only a
    line with nothing but a name on it (`_one_phrase`): a letterhead that prints name, street and
    town on one line is left as the model gave it. Without a seller label, only a name that lost
    its first words is completed (`_with_first_words`)."""

    def complete(answer: dict[str, Any], text: str) -> dict[str, Any]:
        given = str(answer.get(field) or "")
        name = letters_and_digits(without_name_key(given))
        if not name:
            return {}
        blocks = party_blocks(text, SELLER_LABELS)
        if not blocks:
            whole = _with_first_words(name, text)
            return {field: whole} if whole else {}
        for _, lines in blocks:
            holding = [i for i, line in enumerate(lines) if name in letters_and_digits(line) and _one_phrase(line)]
            if len(holding) != 1:
                continue
            i = holding[0]
            whole = lines[i : i + 2] if _runs_on(lines, i) else [lines[i]]
            completed = " ".join(line.strip() for line in whole)
            return {field: completed} if letters_and_digits(completed) != letters_and_digits(given) else {}
        return {}

    return complete


def _with_first_words(name: str, text: str) -> str | None:
    """The name with the words the model dropped from its front (`Spiel GmbH` for `Bei Spiel GmbH`:
    `bei` is also a German preposition): the one phrase of at most five words, printed alone or
    between separators (`Bei Spiel GmbH ● Ecke 12`), that ends in a legal form and in the name."""
    found = {
        compact: phrase.strip()
        for line in text.splitlines()
        for phrase in _PHRASE_BREAK.split(line)
        if len(phrase.split()) <= 5
        and _ends_in_legal_form(phrase)
        and (compact := letters_and_digits(phrase)).endswith(name)
        and compact != name
    }
    return next(iter(found.values())) if len(found) == 1 else None


def _runs_on(lines: list[str], i: int) -> bool:
    """A name's line without a legal form, followed by a line with only a name on it that ends in one."""
    return (
        i + 1 < len(lines)
        and not _ends_in_legal_form(lines[i])
        and _one_phrase(lines[i + 1])
        and _ends_in_legal_form(lines[i + 1])
    )


def _ends_in_legal_form(line: str) -> bool:
    words = [re.sub(r"[^A-Z]", "", w.upper()) for w in line.split()]
    return bool(words) and words[-1] in INVOICE_LEGAL_FORMS


def _whole_lines(lines: list[str]) -> set[str]:
    """A block's lines, and each two in a row, as letters and digits: what a whole name can be."""
    compact = [letters_and_digits(line) for line in lines]
    return set(compact) | {a + b for a, b in zip(compact, compact[1:])}


def _one_phrase(line: str) -> bool:
    """A line with nothing but a name on it: no comma, bullet, colon or wide gap joining it to an
    address (`Acme Ltd, Hauptstr. 1`; `Bei Spiel GmbH    ●    Ecke 12`)."""
    return not _PHRASE_BREAK.search(line.strip())


def _shown(lines: list[str]) -> str:
    return " / ".join(line.strip() for line in lines)


def party_blocks(text: str, labels: tuple[str, ...]) -> list[tuple[str, list[str]]]:
    """Each line that is one of `labels` (alone, or before a colon or slash: `Käufer/Leistungsempfänger:`),
    with the lines that follow it up to the next label: (the label as printed, its block). A name
    printed on the label's own line (`Seller: Acme Ltd`) is the block's first line."""
    lines = text.splitlines()
    found = []
    for i, line in enumerate(lines):
        if not _labelled(line, labels):
            continue
        head, _, rest = line.partition(":")
        block = [rest] if rest.strip() else []
        for following in lines[i + 1 :]:
            if len(block) == _BLOCK_LINES or following.rstrip().endswith(":") or _labelled(following, _ALL_LABELS):
                break
            if following.strip():
                block.append(without_name_key(following))
        if block:
            found.append((head.strip(), block))
    return found


# A form's key before a party's name (`Name: Lieferant GmbH`, as the ZUGFeRD 2.2 renderings print
# each field of a party): the name is what follows it.
_NAME_KEY = re.compile(
    r"^\s*(?:NAME|FIRMA|FIRMENNAME|COMPANY|COMPANYNAME|NOM|RAISONSOCIALE|NAAM|BEDRIJFSNAAM)\s*:\s*", re.I
)


def without_name_key(line: str) -> str:
    """`line` without a name's key before it."""
    return _NAME_KEY.sub("", line)


def _labelled(line: str, labels: tuple[str, ...]) -> bool:
    compact = re.sub(r"\s", "", line).upper()
    return re.fullmatch(rf"(?:{'|'.join(labels)})(?:[:/(].*)?", compact) is not None
