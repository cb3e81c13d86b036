"""Which of the dates a document prints is its own. An invoice prints several, each beside its
label (Rechnungsdatum, Leistungsdatum, fällig am; date de facture, échéance; invoice date, due
date; fecha, vencimiento), and a small model answers the first or the most prominent: on the tuning part the service
date (`Leistungsdatum 07.05.2017`) for the invoice's `Rechnung # RE-20170509/505 von 09.05.2017`.
Where the answer is printed beside another date's label and never beside the document's own, and
the document labels a different date as its own, the answer is re-asked with that line quoted. A copy
of the answer printed without a label does not save it (on a car-hire invoice the Leistungsdatum is
printed again as `Übergabe am 29.09.2018/ 10:35`).

Labels are read on the date's line just before it, upper-cased with spaces dropped (PDF text layers
split words).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from extraction_pipeline.checks.numbers import INVOICE_TITLES
from extraction_pipeline.doctypes.packs import Check, CheckedDocument
from extraction_pipeline.extraction.values import find_dates

_DOCUMENT = rf"({INVOICE_TITLES}|GUTSCHRIFT|AVOIR|CREDITNOTE)"
# The document's own date: `Rechnungsdatum:`, `Invoice date`, `Date de facture`, `Fecha de
# factura`, `Data fattura`, a bare `Datum:`, `Date:`, `Fecha:` or `Data:`, or the date after the
# document's number (`Rechnung Nr. 4711 vom`, `Facture N° 12 du`).
_OWN = re.compile(
    rf"((RECHNUNGS|BELEG|FACTUUR|FAKTURA)-?DATUM|INVOICEDATE|DATEOFINVOICE|DATEDE(LA)?FACTURE|FECHADE(LA)?FACTURA"
    rf"|FECHADEEMISI[ÓO]N|DATA(DELLA|DA)?FATT?URA|DATADEEMISS[ÃA]O|DATAWYSTAWIENIA|^DATUM|^DATE|^FECHA|^DATA"
    rf"|{_DOCUMENT}\S*?(NR|NO|N°|Nº|N\.|NUMMER|NUMBER|NUMÉRO|NÚMERO|#)\S*(VOM|VON|DU|DATED|VAN|OF|DEL|DO))\W*$"
)
# Another date's label, anywhere after the last number before the date (`netto bis`, `Fecha Vto.`).
_OTHER = re.compile(
    r"(LEISTUNG|LIEFER|FÄLLIG|ZAHLBAR|BESTELL|AUFTRAG|ZEITRAUM|SKONTO|BIS|DUE|DELIVER|ORDER|PERIOD|SHIP"
    r"|PAYABLE|UNTIL|ÉCHÉANCE|ECHEANCE|LIVRAISON|COMMANDE|PAIEMENT|JUSQU|VERVAL|LEVERING"
    r"|VENCIMIENTO|VTO|ENTREGA|SCADENZA|CONSEGNA|VENCIMENTO|TERMIN)\D*$"
)


def the_documents_own_date(field: str) -> Check:
    """`field` (the document's date) is not a date printed beside another date's label, and never
    beside the document's own, where the document labels a different date as its own."""

    def check(record: dict[str, Any], doc: CheckedDocument) -> dict[str, str]:
        value = record.get(field)
        if not isinstance(value, dt.date):
            return {}
        dates = labelled_dates(doc.text)
        answered = [kind for date, kind, _ in dates if date == value]
        own = next((line for date, kind, line in dates if kind == "own" and date != value), None)
        if "other" not in answered or "own" in answered or own is None:
            return {}
        return {
            field: f"- {field}: the date given is printed as another date (delivery, service, due or order "
            f"date). The document's own date is printed on the line {own.strip()!r}. Give that date as printed."
        }

    return check


# What joins the two dates of a period (`01.05.14-31.05.14`, `1. bis 31. Mai`, `du 01/07 au 31/07`).
_PERIOD = re.compile(r"\s*[-–—]\s*|\s+(?:bis|to|au|tot|until|jusqu'au)\s+", re.I)


def labelled_dates(text: str) -> list[tuple[dt.date, str, str]]:
    """Each date printed, what its label says it is ("own", "other" or "" for no label), and its line.
    A date that begins or ends a period printed without a label is another date: a service period's
    bounds (a hosting invoice of the tuning part printed `01.05.14-31.05.14` above each line)."""
    found = []
    for line in text.splitlines():
        dates = find_dates(line)
        for start, end, date in dates:
            before = re.sub(r"\s", "", line[:start]).upper()
            bound = any(
                _PERIOD.fullmatch(line[e:start]) if e <= start else end <= s and _PERIOD.fullmatch(line[end:s])
                for s, e, _ in dates
            )
            kind = "own" if _OWN.search(before) else "other" if _OTHER.search(before) or bound else ""
            found.append((date, kind, line))
    return found
