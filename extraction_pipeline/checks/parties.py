"""Who is who on a document that labels its parties: `Verkäufer:` above the seller's name and
address, `Käufer:` above the customer's, `Abweichender Zahlungsempfänger:` above a payee. Form-like
invoices (the ZUGFeRD renderings, most ERP output) print such labels; a small model still answers
the first company it sees: the stylesheet's `(c) AWV e.V.` at the top, or the payee. Where the
document labels its seller, the seller's name is one printed in that block, and a name given in
part is completed from it (`seller_completed`, the invoice pack's `complete`). The seller is EN
16931's: the supplier, also on a self-billed invoice, which the customer writes (`Selbstfakturierung`,
`autofacturation`) and on which the name at the top is the customer's.

PDF text layers split words at kerning gaps (`Ver käufer :`, `Taxiunter nehmen`), so labels and
names are compared with spaces and punctuation dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from extraction_pipeline.doctypes.packs import Check, CheckedDocument, Completer
from extraction_pipeline.extraction.values import letters_and_digits

# The employee who claims expenses from an employer (a German `Reisekostenabrechnung`) is its seller
# in EN 16931's terms, but `Mitarbeiter:` on an invoice is as often the seller's clerk: an employee's
# label counts as the seller's only where the document labels an employer too.
EMPLOYEE_LABELS = ("MITARBEITER", "MITARBEITERIN", "ARBEITNEHMER", "EMPLOYEE", "SALARIÉ", "SALARIE", "WERKNEMER")
EMPLOYER_LABELS = ("ARBEITGEBER", "EMPLOYER", "EMPLOYEUR", "WERKGEVER")
# Labels of the selling and the buying party, in the languages of European invoices, upper-cased
# and without spaces (so that they match however the text layer spaced them).
# A self-billed invoice's writer is its customer (`Gutschriftsaussteller`), the party it credits
# the supplier (`Gutschriftsempfänger`, `leistender Unternehmer` in German VAT law).
SELLER_LABELS = (
    "VERKÄUFER", "LIEFERANT", "RECHNUNGSERSTELLER", "RECHNUNGSSTELLER", "LEISTUNGSERBRINGER",
    "LEISTENDERUNTERNEHMER", "GUTSCHRIFTSEMPFÄNGER", "AUFTRAGNEHMER",
    "SELLER", "SUPPLIER", "VENDOR", "VENDEUR", "FOURNISSEUR", "ÉMETTEUR", "EMETTEUR", "VERKOPER", "LEVERANCIER",
    "RECHNUNGSAUSSTELLER", "CEDENTE", "PRESTATORE", "FORNITORE", "EMISOR", "DATOSDELEMISOR", "PROVEEDOR",
    "FORNECEDOR", "SPRZEDAWCA", "DODAVATEL", "DODÁVATEĽ", "ELADÓ", "FURNIZOR", "SÄLJARE", "LEVERANTÖR", "SÆLGER",
    "SELGER", "MYYJÄ", "SATICI",
    # Who is paid on a rent or an insurance premium invoice.
    "VERMIETER", "LANDLORD", "BAILLEUR", "VERHUURDER", "VERSICHERER", "INSURER", "ASSUREUR", "VERZEKERAAR",
    # The creditor of a Swiss QR bill, in its four languages.
    "ACCOUNT/PAYABLETO", "KONTO/ZAHLBARAN", "COMPTE/PAYABLEÀ", "CONTO/PAGABILEA",
)  # fmt: skip
BUYER_LABELS = (
    "KÄUFER", "RECHNUNGSEMPFÄNGER", "LEISTUNGSEMPFÄNGER", "GUTSCHRIFTSAUSSTELLER", "KUNDE", "RECHNUNGAN",
    "AUFTRAGGEBER", "BUYER", "CUSTOMER", "BILLTO", "SOLDTO", "ACHETEUR", "CLIENT", "FACTURÉÀ", "KOPER", "KLANT",
    "AFNEMER", *EMPLOYER_LABELS, "CESSIONARIO", "COMMITTENTE", "CLIENTE", "DATOSDELCLIENTE", "ADQUIRENTE",
    "NABYWCA", "ODBĚRATEL", "ODBERATEĽ", "VEVŐ", "CUMPĂRĂTOR", "KÖPARE", "KUND", "KØBER", "KJØPER", "OSTAJA",
    "MIETER", "TENANT", "LOCATAIRE", "HUURDER", "VERSICHERUNGSNEHMER", "POLICYHOLDER", "ASSURÉ", "SOUSCRIPTEUR",
    "VERZEKERINGNEMER", "SAYIN", "ALICI",
    # The debtor of a Swiss QR bill.
    "PAYABLEBY", "ZAHLBARDURCH", "PAYABLEPAR", "PAGABILEDA",
)  # fmt: skip
# The mention the EU VAT directive (art. 226(18)) requires on an invoice the customer writes for its
# supplier, as the languages of our documents print it, lower-cased. A bare `Gutschrift` is not
# one: it is also what German calls a supplier's credit note.
SELF_BILLING_MENTIONS = (
    "self-billing", "self-billed", "selbstfakturierung", "gutschriftsverfahren", "gutschrift im sinne des § 14",
    "autofacturation", "auto-facturation", "factuur uitgereikt door afnemer", "zelffacturering",
)  # fmt: skip
ALL_LABELS = SELLER_LABELS + BUYER_LABELS + EMPLOYEE_LABELS
# A block ends at the next label (a party's, or any line ending in a colon) or after this many lines.
_BLOCK_LINES = 5
# What joins a name to something else on its line: a comma, bullet, colon or wide gap.
_PHRASE_BREAK = re.compile(r"[,;:|●•·\t]|\s{3,}")


def named_as_seller(field: str) -> Check:
    """`field` (the seller's name) is printed in the block under the document's seller label, where
    it has one, as a whole line or two (`MVM Musterhafter` / `Versicherungsverein Musterstadt a.G.`),
    not a part of one nor the name run on into its address; not under the buyer's label, nor
    anywhere else (a payee, a footer). Where only the buyer is labelled (`Bill to`, `Client :`), it
    is not the name under that label; where no party is, and the invoice says it is self-billed, it
    is not the writer's name at the top, and otherwise it is the company whose register entry or bank
    account the invoice prints, where those name one. A problem does not repeat the name given: the
    re-ask does not show the answer, and a small model shown a wrong name copies it back
    (docs/accuracy.md)."""

    def check(record: dict[str, Any], doc: CheckedDocument) -> dict[str, str]:
        name = letters_and_digits(without_name_key(str(record.get(field) or "")))
        if not name:
            return {}
        sellers = seller_blocks(doc.text)
        buyers = party_blocks(doc.text, BUYER_LABELS)
        under_buyer = next((b for b, block in buyers if name in letters_and_digits(" ".join(block))), None)
        if not sellers:
            if under_buyer is not None:
                return {
                    field: f"- {field}: the name given is printed under {under_buyer!r}, the customer. Give the "
                    "name of the company that issued the document (at its top, or beside its bank and tax details)."
                }
            return (
                _the_writer_of_a_self_billed_invoice(field, name, doc.text)
                or _not_its_registered_company(field, name, doc.text)
                or _not_the_letters_signer(field, name, doc.text)
            )
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


def _the_writer_of_a_self_billed_invoice(field: str, name: str, text: str) -> dict[str, str]:
    """On an invoice that says it is self-billed and labels no seller, the company on its first
    line (a letterhead, or the sender's line above the address field) wrote it as the customer: the
    seller is the supplier it pays. Only the first line: the supplier's address field may follow it
    at once. (The 1.5B model named the writer on invoices written for tuning, told otherwise by the
    prompt.)"""
    lowered = text.lower()
    mention = next((m for m in SELF_BILLING_MENTIONS if m in lowered), None)
    writer = letters_and_digits(next((line for line in text.splitlines() if line.strip()), ""))
    if mention is None or name not in writer:
        return {}
    others = _other_companies(text, writer)
    named = (
        f" The supplier is one of the other companies it names: {'; '.join(others)}." if 0 < len(others) <= 3 else ""
    )
    return {
        field: f"- {field}: the name given is the customer's. The document says it is self-billed ({mention!r}): "
        f"the customer at its top wrote it for its supplier, and the seller is that supplier.{named}"
    }


# Where a company prints its own register entry, share capital or registered office, or a tax number
# it calls its own (`Our VAT:`, `Unsere USt-IdNr.`): the issuer's footer or margin. A VAT number
# alone is not one: many invoices print the customer's too.
REGISTER_DETAILS = re.compile(
    r"\bau capital\b|capital social|capitale sociale|share capital|\bRCS\b|\bSIRE[NT]\b|si[èe]ge social|"
    r"\bHR[AB]\b|amtsgericht|registergericht|handelsregister|sitz der gesellschaft|\bKvK\b|kamer van koophandel|"
    r"registered office|regd\.? office|registered in\b|company (?:no|number|registration)\b|registro mercantil|"
    r"\bour (?:vat|tax|gst)\b|\bunsere? (?:ust|steuer)|\bnotre (?:n°|num[ée]ro)? ?(?:de )?tva\b|\bonze btw\b",
    re.I,
)
# The holder of the account the invoice asks to be paid into: the company paid.
_ACCOUNT_HOLDER = re.compile(
    r"(?:titulaire du compte|kontoinhaber|account holder|account name|in favou?r of)\s*:?\s*(.*)", re.I
)


def _not_its_registered_company(field: str, name: str, text: str) -> dict[str, str]:
    """On an invoice that labels no seller, the company whose register entry, share capital or bank
    account it prints (a French or German footer: `NETPRESSE / Siège social : ... / Sarl au capital
    de 10 000€ - RCS Paris ...`, `Titulaire du compte : NETPRESSE`) is the one that issued it. A
    name printed near none of those details, where they name another company, is a problem that
    offers the names they give (the 1.5B model named the customer, printed first as the address,
    on a real French invoice of the tuning part). Not on a self-billed invoice, whose footer is the
    customer's; silent where the details name no company (a footer of persons and numbers)."""
    if any(m in text.lower() for m in SELF_BILLING_MENTIONS):
        return {}
    lines = text.splitlines()
    near = [i for i, line in enumerate(lines) if REGISTER_DETAILS.search(line) or _ACCOUNT_HOLDER.search(line)]
    around = " ".join(lines[j] for i in near for j in range(max(0, i - 2), i + 1))
    if not near or name in letters_and_digits(around):
        return {}
    offered = _registered_names(lines, near)
    if not offered or any(_same_company(name, letters_and_digits(other)) for other in offered):
        return {}
    return {
        field: f"- {field}: the name given is not the company whose register entry, capital or bank account the "
        f"document prints ({'; '.join(offered)}): that company issued it. Give its name as printed."
    }


# A letter's closing formula, alone on its line, in the languages of our invoices.
_CLOSING = re.compile(
    r"^\s*(?:mit freundlichen gr(?:ü|ue)(?:ß|ss)en|freundliche gr(?:ü|ue)(?:ß|ss)e|hochachtungsvoll|beste gr(?:ü|ue)(?:ß|ss)e"
    r"|kind regards|best regards|yours sincerely|yours faithfully|sincerely|cordialement|bien cordialement"
    r"|met vriendelijke groet(?:en)?|saludos cordiales|atentamente|cordiali saluti|distinti saluti)\W*$",
    re.IGNORECASE,
)
# The signer's name heads the letter: it begins one of its first lines.
_LETTERHEAD_LINES = 3


def _not_the_letters_signer(field: str, name: str, text: str) -> dict[str, str]:
    """An invoice written as a letter (a freelancer's or a small trader's, from a template) is signed
    by its issuer, whose name also heads it: a name that is not the signer's, where the signer's
    name begins one of the letter's first lines, is re-asked with it (a German template of the
    tuning part: the model named the customer, printed below the sender, unlabelled)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    closing = next((i for i, line in enumerate(lines) if _CLOSING.match(line)), None)
    if closing is None or closing + 1 >= len(lines):
        return {}
    signer = " ".join(lines[closing + 1].split())
    compact = letters_and_digits(signer)
    if not 2 <= len(signer.split()) <= 5 or any(c.isdigit() for c in signer) or _same_company(name, compact):
        return {}
    if not any(letters_and_digits(line).startswith(compact) for line in lines[:_LETTERHEAD_LINES]):
        return {}
    return {
        field: f"- {field}: the name given is not the sender's. The document is a letter headed and signed by "
        f"{signer!r}, who issued it. Give that name as printed."
    }


def _registered_names(lines: list[str], near: list[int]) -> list[str]:
    """The companies the lines at `near` name: an account's holder (on its line, or alone on the
    next) where it is a company's name, with its legal form or printed alone on a line of its own
    as well (a holder may be a person: `Kontoinhaber: Max Mustermann`), and a phrase of up to five
    words ending in a legal form on those lines or the two above them (`Free SAS au capital de ...`:
    a phrase ends where a register detail starts)."""
    names: dict[str, str] = {}
    whole_lines = {letters_and_digits(line) for line in lines}
    for i in near:
        if holder := _ACCOUNT_HOLDER.search(lines[i]):
            value = holder.group(1).strip() or (lines[i + 1].strip() if i + 1 < len(lines) else "")
            phrase = next((m.group().strip() for m in _phrases(value)), "")
            if phrase and (ends_in_legal_form(phrase) or letters_and_digits(phrase) in whole_lines):
                names.setdefault(letters_and_digits(phrase), phrase)
        for line in lines[max(0, i - 2) : i + 1]:
            for piece in REGISTER_DETAILS.split(line):
                for phrase in (m.group().strip(" -–—−") for m in _phrases(re.sub(r"\s[-–—−]\s", "|", piece))):
                    if 2 <= len(phrase.split()) <= 5 and ends_in_legal_form(phrase):
                        names.setdefault(letters_and_digits(phrase), phrase)
    return list(names.values())


def _same_company(a: str, b: str) -> bool:
    """Two names (letters and digits) of one company: one holds the other, or they are the same
    without the legal form (`WSRETAILSERVICESPVTLTD`, `WSRETAILSERVICESPRIVATELIMITED`)."""
    return a in b or b in a or _without_form(a) == _without_form(b)


def _without_form(compact: str) -> str:
    """`compact` without the legal form's words at its end, matched on the letters."""
    for form in _FORM_WORDS:
        if len(compact) > len(form) and compact.endswith(form):
            return _without_form(compact[: -len(form)])
    return compact


def _other_companies(text: str, writer: str) -> list[str]:
    """The names the document prints other than the writer's (`_company_names`): told only what
    the supplier is not, the 1.5B model answered the writer again on an invoice written for tuning;
    offered the one other name, it gave that."""
    return [phrase for compact, phrase in _company_names(text).items() if compact not in writer]


# Legal forms that end a company's name on an invoice (upper-cased, without dots or spaces).
INVOICE_LEGAL_FORMS = {
    "GMBH", "MBH", "AG", "KG", "OHG", "UG", "SE", "EV", "EK", "EG", "VVAG", "SA", "SAS", "SARL", "SASU", "EURL",
    "SNC", "BV", "NV", "VOF", "LTD", "LIMITED", "LLP", "PLC", "INC", "LLC", "CORP", "CO",
    # Nordic, Southern and Central European forms (`MixCont AB`, `Rossi S.p.A.`, `Novák s.r.o.`).
    "AB", "OY", "OYJ", "APS", "ASA", "SPA", "SRL", "SL", "SLU", "LDA", "SRO", "KFT", "ZRT", "BVBA", "SPRL",
    # French forms printed before the name (`EARL Martin`, `SCI du Parc`).
    "EARL", "GAEC", "SCEA", "SCI", "SCP", "SELARL",
}  # fmt: skip
# Words of a legal form that a company's name may print in full or shortened (`Pvt. Ltd.`, `Private
# Limited`), longest first so that a name loses `GMBH` whole, not `MBH` and a stray `G`.
_FORM_WORDS = sorted(
    INVOICE_LEGAL_FORMS | {"PVT", "PRIVATE", "COMPANY", "CORPORATION", "INCORPORATED"}, key=len, reverse=True
)


def seller_completed(field: str) -> Completer:
    """`field` (the seller's name), given as a line in the block under the seller's label or part of
    one, completed to that whole line, and to the next line as well when only that one ends in a
    legal form (`Musterhafter` or `MVM Musterhafter` -> `MVM Musterhafter Versicherungsverein
    Musterstadt a.G.`); a form's key given with it is dropped (`Name: Lieferant GmbH`). Only a
    line with nothing but a name on it (`_one_phrase`) completes a name: a letterhead that prints
    name, street and town on one line is not taken whole. The other way round, a name the model ran
    on into the address printed after it on its line is cut back to the name (`_before_its_address`).
    Without a seller label, only a name that lost its first words is completed (`_with_first_words`).
    A name printed under the buyer's label, where the seller's is labelled too, is the seller's
    (`_labelled_seller`): re-asked with the seller's block quoted, the 1.5B model kept answering the
    employer under `Arbeitgeber:` for the employee under `Mitarbeiter:` on an expense claim written
    for tuning."""

    def complete(answer: dict[str, Any], text: str) -> dict[str, Any]:
        given = str(answer.get(field) or "")
        alone = _before_its_address(without_name_key(given))
        name = letters_and_digits(alone)
        if name:
            sellers = seller_blocks(text)
            whole = _labelled_seller(name, sellers, text) or _from_block(name, sellers, text)
        else:
            whole = None
        best = whole or (alone if alone != given else None)
        return {field: best} if best and letters_and_digits(best) != letters_and_digits(given) else {}

    return complete


def _labelled_seller(name: str, sellers: list[tuple[str, list[str]]], text: str) -> str | None:
    """Where `name` is printed under the buyer's label and not the seller's (`sellers`, the seller's
    blocks), the seller's name: the first line of the seller's first block that prints no figure
    (not `GLN 4333741000005`), up to its address."""
    if not sellers or any(name in letters_and_digits(" ".join(lines)) for _, lines in sellers):
        return None
    if not any(name in letters_and_digits(" ".join(lines)) for _, lines in party_blocks(text, BUYER_LABELS)):
        return None
    first = next((line for line in sellers[0][1] if _starts_with_a_name(line)), None)
    return _before_its_address(first.strip()) if first else None


def _starts_with_a_name(line: str) -> bool:
    """The line's first phrase has no figure and is no key: a name, not a party's number (`GLN
    4333741000005`, `Nummer : 75969813`, as the ZUGFeRD renderings print one above the name)."""
    phrases = _phrases(line)
    return bool(phrases) and not re.search(r"\d", phrases[0].group()) and not re.match(r"[^:]*:", line)


def _from_block(name: str, sellers: list[tuple[str, list[str]]], text: str) -> str | None:
    """The whole name of which `name` is a part, from the seller's blocks (or the front it lost)."""
    if not sellers:
        return _with_first_words(name, text)
    for _, lines in sellers:
        holding = [i for i, line in enumerate(lines) if name in letters_and_digits(line) and _one_phrase(line)]
        if len(holding) != 1:
            continue
        i = holding[0]
        whole = lines[i : i + 2] if _runs_on(lines, i) else [lines[i]]
        return " ".join(line.strip() for line in whole)
    return None


def _before_its_address(name: str) -> str:
    """`name` without the address the model ran it on into, as a party's line prints them
    (`Supplier: Green Farm Produce Ltd, Hill Farm, York YO26 5RR`): the phrases up to the first
    that holds a figure (a street's number, a postcode, a tax number), and none after a phrase that
    begins or ends in a legal form (`EARL Martin, La Grande Ferme, 49260 ...`). A name whose later
    phrases hold no figure is left whole (`Smith, Jones & Co`)."""
    kept = 0
    for i, phrase in enumerate(_phrases(name)):
        if i and any(ch.isdigit() for ch in phrase.group()):
            return name[:kept].strip()
        kept = phrase.end()
        words = _form_words(phrase.group())
        if words and {words[0], words[-1]} & INVOICE_LEGAL_FORMS:
            rest = name[kept:]
            return name[:kept].strip() if any(ch.isdigit() for ch in rest) else name
    return name


def _phrases(line: str) -> list[re.Match[str]]:
    """The stretches of `line` between the breaks that join a name to what follows it."""
    return [m for m in re.finditer(rf"(?:(?!{_PHRASE_BREAK.pattern}).)+", line) if m.group().strip()]


def _with_first_words(name: str, text: str) -> str | None:
    """The name with the words the model dropped from its front (`Spiel GmbH` for `Bei Spiel GmbH`:
    `bei` is also a German preposition): the one phrase of at most five words, printed alone or
    between separators (`Bei Spiel GmbH ● Ecke 12`), that ends in a legal form and in the name. Not
    where the name is itself printed so: Telekom's bill prints `Telekom Deutschland GmbH, 53171
    Bonn` and `Leistungen der Telekom Deutschland GmbH` (its services), and the name is the first."""
    names = _company_names(text)
    if name in names:
        return None
    found = [phrase for compact, phrase in names.items() if compact.endswith(name)]
    return found[0] if len(found) == 1 else None


def _company_names(text: str) -> dict[str, str]:
    """Each phrase of two to five words, printed alone on a line or between separators, that ends
    in a legal form (so more than the form), by its letters and digits."""
    return {
        letters_and_digits(phrase): phrase.strip()
        for line in text.splitlines()
        for phrase in (m.group() for m in _phrases(line))
        if 2 <= len(phrase.split()) <= 5 and ends_in_legal_form(phrase)
    }


def _runs_on(lines: list[str], i: int) -> bool:
    """A name's line without a legal form, followed by a line with only a name on it that ends in one."""
    return (
        i + 1 < len(lines)
        and not ends_in_legal_form(lines[i])
        and _one_phrase(lines[i + 1])
        and ends_in_legal_form(lines[i + 1])
    )


def ends_in_legal_form(line: str) -> bool:
    """Whether the line's last word is an invoice party's legal form (`GmbH`, `Ltd.`, `S.A.S.`)."""
    words = _form_words(line)
    return bool(words) and words[-1] in INVOICE_LEGAL_FORMS


def _form_words(text: str) -> list[str]:
    """`text`'s words as INVOICE_LEGAL_FORMS spells them: upper-cased, letters only (`a.G.` -> `AG`).
    A word with a digit is none (a postcode's `2AB`, an order's `AB321`)."""
    return ["" if re.search(r"\d", w) else re.sub(r"[^A-Z]", "", w.upper()) for w in text.split()]


def _whole_lines(lines: list[str]) -> set[str]:
    """A block's lines, and each two in a row, as letters and digits: what a whole name can be."""
    compact = [letters_and_digits(line) for line in lines]
    return set(compact) | {a + b for a, b in zip(compact, compact[1:])}


def _one_phrase(line: str) -> bool:
    """A line with nothing but a name on it: no comma, bullet, colon or wide gap joining it to an
    address (`Acme Ltd, Hauptstr. 1`; `Bei Spiel GmbH    ●    Ecke 12`)."""
    return not _PHRASE_BREAK.search(line.strip())


def _shown(lines: list[str]) -> str:
    """A block's lines on one line of a problem, joined by a break the name's cut-back knows: the
    model copies a name from there with the lines after it (a French invoice written for tuning)."""
    return " | ".join(line.strip() for line in lines)


def seller_blocks(text: str) -> list[tuple[str, list[str]]]:
    """The blocks under the seller's labels, or under an employee's where an employer is labelled."""
    sellers = party_blocks(text, SELLER_LABELS)
    if sellers or not party_blocks(text, EMPLOYER_LABELS):
        return sellers
    return party_blocks(text, EMPLOYEE_LABELS)


def party_blocks(text: str, labels: tuple[str, ...]) -> list[tuple[str, list[str]]]:
    """Each line that is one of `labels` (alone, or before a colon or slash: `Käufer/Leistungsempfänger:`),
    with the lines that follow it up to the next label: (the label as printed, its block). A name
    printed on the label's own line (`Seller: Acme Ltd`) is the block's first line; a party printed
    whole on it, name and address after a comma (`Supplier: Acme Ltd, 1 High St, Leeds`), is the
    block (a key's value, `Verkäufer: Nummer: 549910`, is not a whole party). Parties printed side
    by side (`Auftraggeber:      Auftragnehmer:`, as two-column layouts and OCR lines print them)
    are read as columns: each label's block is what the lines below print in its column."""
    lines = text.splitlines()
    found = []
    for i, line in enumerate(lines):
        columns = _label_columns(line)
        if columns is None:
            parties: list[tuple[str, Iterable[str]]] = [(line, lines[i + 1 :])] if _labelled(line, labels) else []
        else:
            starts = [start for start, _ in columns]
            parties = [
                (segment, _in_column(lines[i + 1 :], starts, k))
                for k, (_, segment) in enumerate(columns)
                if _labelled(segment, labels)
            ]
        for label_line, following in parties:
            head, block = _block(label_line, following)
            if block:
                found.append((head, block))
    return found


def _block(label_line: str, following: Iterable[str]) -> tuple[str, list[str]]:
    """A label's block: the name on its own line, else the lines after it up to the next label."""
    head, _, rest = label_line.partition(":")
    block = [rest] if rest.strip() else []
    for line in following if "," not in rest else ():
        if len(block) == _BLOCK_LINES or line.rstrip().endswith(":") or _labelled(line, ALL_LABELS):
            break
        if line.strip():
            block.append(without_name_key(line))
    return head.strip(), block


# A line's stretch between column gaps (a tab, or three spaces or more): words one or two spaces apart.
_SEGMENT = re.compile(r"\S+(?: {1,2}\S+)*")


def _segments(line: str) -> list[tuple[int, str]]:
    """The line's stretches between column gaps, with where each starts."""
    return [(m.start(), m.group()) for m in _SEGMENT.finditer(line)]


def _label_columns(line: str) -> list[tuple[int, str]] | None:
    """The line's segments where two of them or more are parties' labels, else None."""
    segments = _segments(line)
    return segments if sum(_labelled(segment, ALL_LABELS) for _, segment in segments) >= 2 else None


def _in_column(lines: list[str], starts: list[int], k: int) -> Iterator[str]:
    """What each of `lines` prints in the k-th of the columns starting at `starts`: a segment belongs
    to the last column starting at most two characters after it (columns drift by a character or
    two in typed text). OCR joins a visual line's boxes with a tab at a column gap, so offsets say
    nothing there: a line with tabs gives its k-th segment."""
    for line in lines:
        segments = _segments(line)
        if "\t" in line:
            yield segments[k][1] if k < len(segments) else ""
            continue
        yield " ".join(
            segment
            for start, segment in segments
            if max((j for j, column in enumerate(starts) if column <= start + 2), default=0) == k
        )


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
