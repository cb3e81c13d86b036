"""An extra tuning set of invoices: files of the public ZUGFeRD corpus (github.com/ZUGFeRD/corpus)
that are not in ../shared/datasets/invoices-zugferd, with gold fields read from the XML each one
carries, in that dataset's gold.jsonl format. Kept, as that dataset's were, only where the printed
text agrees with the XML (number, date, gross total and seller name all found in the text layer).

    .venv/bin/python benchmarks/zugferd_extra.py CORPUS_CHECKOUT OUT_DIR
    .venv/bin/extraction-pipeline evaluate OUT_DIR/docs OUT_DIR/gold.jsonl

With `--mustang`, the checkout is of github.com/ZUGFeRD/mustangproject (commit 096db40a) and the
set is the Mustang library's test invoices instead (`MUSTANG_FILES`; files named `mp-*`): a Business Central
invoice, a Factur-X sample in the French FNFE rendering (not one of the report part's), a leasing
company's ZUGFeRD 1 invoice, a GnuAccounting and a Kraxi invoice. With `--ferd22`, the checkout is of
github.com/stephanstapel/ZUGFeRD-csharp (commit 2160f53d) and the set is its copy of the ZUGFeRD 2.2
samples whose contents are not the report part's (`FERD22_FILES`; files named `f22-*`). With
`--ferd24`, the same repository (commit 113de42) and its copy of the ZUGFeRD 2.4 samples that are
new in 2.4 (`FERD24_FILES`; files named `f24-*`): construction part and final invoices, sub-invoice
lines, a collective invoice of three orders, small traders without a VAT ID, tax-free deliveries,
in another rendering (DWC's stylesheet) than 2.2's.

The files are the corpus's invoices of other contents than the dataset's report part (`ferd22-*`,
`fnfe-*`): other renderings of the same invoices (the FeRD samples in 2.0/2.1 form, the Factur-X
MINIMUM/BASIC WL variants) would be tuning on the report part. Two of them share the ZUGFeRD 2.2
rendering that most report invoices use. The copies keep their XML attachment (the pipeline reads
the text layer only). Prints what it kept and why it dropped a file.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from xml.etree import ElementTree

import pypdf

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from extraction_pipeline.documents.reading import read_document  # noqa: E402
from extraction_pipeline.extraction.values import find_dates, letters_and_digits, numbers_on_line  # noqa: E402

FILES = [
    "XML-Rechnung/FX/EN16931_Einfach.pdf",
    "XML-Rechnung/FX/EN16931_Miete.pdf",
    "ZUGFeRDv1/correct/4s4u/additional-data-sample-1.pdf",
    "ZUGFeRDv1/correct/Konik/acme_invoice-42_ZUGFeRD.pdf",
    "ZUGFeRDv1/correct/Mustangproject/MustangGnuaccountingBeispielRE-20150613_503.pdf",
    "ZUGFeRDv2/correct/Mustangproject/MustangGnuaccountingBeispielRE-20190610_507.pdf",
    "ZUGFeRDv2/correct/PHP_@gpFacturX/sample_inofficial_20190125_atgp_factur-x_v_1_0.pdf",
    "ZUGFeRDv2/correct/intarsys/MINIMUM/zugferd_2p0_MINIMUM.pdf",
]

# The Mustang library's test invoices that are not the FeRD samples (the report part's contents)
# nor copies of the tuning part's (`validXRechnung.pdf` is the extra set's GnuAccounting invoice).
# `MustangBeispiel20221026.pdf` is dropped by the agreement rule (its XML's total is not printed).
MUSTANG_FILES = [
    "validator/src/test/resources/103767-Invoice-2026-03-24-1.pdf",
    "validator/src/test/resources/Facture_F20180027.pdf",
    "library/src/test/resources/MustangBeispiel20221026.pdf",
    "library/src/test/resources/ZTESTZUGFERD_1_INVDSS_012015738820PDF-1.pdf",
    "validator/src/test/resources/validV2PDF.pdf",
    "library/src/test/resources/zugferd_invoice.pdf",
]


# ZUGFeRD-csharp's copy of the FeRD's ZUGFeRD 2.2 samples (github.com/stephanstapel/ZUGFeRD-csharp,
# commit 2160f53d): the rendering of most of the report part's invoices, but only the samples whose
# contents are not the report part's (its 17 `ferd22-*` names, and the EXTENDED samples that share
# their invoice numbers with them: Rechnungskorrektur, InnergemeinschLieferungMehrereBestellungen).
# Several are the tuning part's contents (Einfach, Taxifahrt, Fremdwaehrung, ...) in this rendering.
FERD22_FILES = [
    f"documentation/zugferd22de/Examples/{name}.pdf"
    for name in (
        "BASIC/BASIC_Einfach",
        "BASIC/BASIC_Taxifahrt",
        "BASIC WL/BASIC-WL_Einfach",
        "EN16931/EN16931_Einfach",
        "EN16931/EN16931_Einfach_DueDate",
        "EN16931/EN16931_Einfach_negativePaymentDue",
        "EN16931/EN16931_Miete",
        "EN16931/EN16931_SEPA_Prenotification",
        "EXTENDED/EXTENDED_Fremdwaehrung",
        "EXTENDED/EXTENDED_Kostenrechnung",
        "EXTENDED/EXTENDED_Warenrechnung",
        "MINIMUM/MINIMUM_Buchungshilfe",
        "MINIMUM/MINIMUM_Rechnung",
        "XRECHNUNG/XRECHNUNG_Einfach",
    )
]


# ZUGFeRD-csharp's copy of the ZUGFeRD 2.4 samples (commit 113de42) whose contents are new in 2.4:
# none shares its invoice number, or its seller and gross total, with an invoice of the dataset.
FERD24_FILES = [
    f"documentation/zugferd240de/Beispiele/{name}_fx.pdf"
    for name in (
        "3. EN16931/EN16931_Kleinunternehmer_ohne_USt_ID/EN16931_Kleinunternehmer_ohneUStId",
        "3. EN16931/EN16931_steuerbefreite Auslandslieferung/EN16931_steuerbefreite_Auslandslieferung",
        "4. EXTENDED/Abschlagsrechnung SubInvoiceLine Bsp 1/ZUGFeRD_Extended__Abschlagsrechnung_SubInvoiceLine_u_LV_Nr_",
        "4. EXTENDED/Bau Teil- & Schlussrechnungen mit Steuerzusammenstellung/"
        "Extended_einfach_Bau_Schlussrechnung_mit_Steuer_Zusammenstellung",
        "4. EXTENDED/Bau Teil- & Schlussrechnungen mit Steuerzusammenstellung/Extended_einfach_Bau__1_Abschlagsrechnung",
        "4. EXTENDED/Bau Teil- & Schlussrechnungen mit Steuerzusammenstellung/Extended_einfach_Bau__2_Abschlagsrechnung",
        "4. EXTENDED/EXTENDED_Projektabschlussrechnung/EXTENDED_Projektabschlussrechnung",
        "4. EXTENDED/Herkunftsland Zolltarif-Nr_HS_UNSPSC_TST_eClass_STQ/"
        "Herkunftsland_Zolltarif-Nummer__HS___UNSPSC__TST___eCl_ss__STQ",
        "4. EXTENDED/Kleinunternehmer ohne USt_ID/EXTENDED_Kleinunternehmer_ohneUStId",
        "4. EXTENDED/Maschinen Serial-Nr/ZF_Extended_Maschinen-Serial_NR__BT-X-307",
        "4. EXTENDED/Sammel_Rechnung_3 Bestellungen/ZF_Extended__Sammelrechnung_3_Bestellungen",
        "4. EXTENDED/SubInvoiceLine Büromaterial Bsp 3/Extended___SubInvoiceLines_Buero_Material_Bsp3__",
        "4. EXTENDED/SubInvoiceLines Fallschutzset Bsp 5/Extended_Fallschutz-Set_SubInvoiceLine_Bsp5",
        "4. EXTENDED/SubInvoiceLines Hardware Bsp 2/Extended_SubInvoiceLines_Hardware_Bsp2",
        "4. EXTENDED/Subinvoiceline Kaffee Bundle Set Bsp 4/Extended___SubInvoiceLines_Kaffee_Bundle_Set_Bsp4__",
        "4. EXTENDED/steuerfreie Innergemeinschaftliche Lieferung/ZF_Extended_steuerfreie_Innergemeinschaftliche_Lieferung",
    )
]


def _children(elements: list[ElementTree.Element], *path: str) -> list[ElementTree.Element]:
    """Elements down `path` by local name (ZUGFeRD 1 and 2 use different namespaces and names)."""
    for name in path:
        elements = [c for e in elements for c in e if c.tag.split("}")[-1] == name]
    return elements


def _text(element: ElementTree.Element, *alternatives: tuple[str, ...]) -> str | None:
    for path in alternatives:
        found = _children([element], *path)
        if found and found[0].text:
            return found[0].text.strip()
    return None


def gold_fields(xml: bytes) -> dict:
    """The dataset's gold fields from a CII (ZUGFeRD 2 / Factur-X) or ZUGFeRD 1 invoice."""
    root = ElementTree.fromstring(xml)
    doc = (_children([root], "HeaderExchangedDocument") or _children([root], "ExchangedDocument"))[0]
    trade = (
        _children([root], "SpecifiedSupplyChainTradeTransaction") or _children([root], "SupplyChainTradeTransaction")
    )[0]
    parties = (
        _children([trade], "ApplicableSupplyChainTradeAgreement")
        or _children([trade], "ApplicableHeaderTradeAgreement")
    )[0]
    settlement = (
        _children([trade], "ApplicableSupplyChainTradeSettlement")
        or _children([trade], "ApplicableHeaderTradeSettlement")
    )[0]
    sums = (
        _children([settlement], "SpecifiedTradeSettlementMonetarySummation")
        or _children([settlement], "SpecifiedTradeSettlementHeaderMonetarySummation")
    )[0]
    date = next(e.text.strip() for e in doc.iter() if e.tag.endswith("DateTimeString"))
    fields = {
        "seller_name": _text(parties, ("SellerTradeParty", "Name")),
        "buyer_name": _text(parties, ("BuyerTradeParty", "Name")),
        "invoice_number": _text(doc, ("ID",)),
        "invoice_date": f"{date[:4]}-{date[4:6]}-{date[6:8]}",
        "document_type_code": _text(doc, ("TypeCode",)),
        "currency": _text(settlement, ("InvoiceCurrencyCode",)),
        "total_amount": _text(sums, ("GrandTotalAmount",)),
        "amount_due": _text(sums, ("DuePayableAmount",)),
        "net_total": _text(sums, ("TaxBasisTotalAmount",)),
        "tax_total": _text(sums, ("TaxTotalAmount",)),
    }
    lines = []
    for item in _children([trade], "IncludedSupplyChainTradeLineItem"):
        line = {
            "line_id": _text(item, ("AssociatedDocumentLineDocument", "LineID")),
            "description": _text(item, ("SpecifiedTradeProduct", "Name")),
            "quantity": _text(
                item,
                ("SpecifiedSupplyChainTradeDelivery", "BilledQuantity"),
                ("SpecifiedLineTradeDelivery", "BilledQuantity"),
            ),
            "unit_price_net": _text(
                item,
                ("SpecifiedSupplyChainTradeAgreement", "NetPriceProductTradePrice", "ChargeAmount"),
                ("SpecifiedLineTradeAgreement", "NetPriceProductTradePrice", "ChargeAmount"),
            ),
            "line_total": _text(
                item,
                ("SpecifiedSupplyChainTradeSettlement", "SpecifiedTradeSettlementMonetarySummation", "LineTotalAmount"),
                ("SpecifiedLineTradeSettlement", "SpecifiedTradeSettlementLineMonetarySummation", "LineTotalAmount"),
            ),
        }
        lines.append({k: v for k, v in line.items() if v is not None})
    fields = {k: v for k, v in fields.items() if v is not None}
    return {**fields, "line_items": lines} if lines else fields


def disagreements(fields: dict, text: str) -> list[str]:
    """The gold values the printed text does not hold."""
    printed = letters_and_digits(text)
    dates = {d.isoformat() for line in text.splitlines() for _, _, d in find_dates(line)}
    amounts = {n.value for line in text.splitlines() for n in numbers_on_line(line)}
    missing = []
    if letters_and_digits(fields.get("invoice_number")) not in printed:
        missing.append("invoice_number")
    if fields.get("invoice_date") not in dates:
        missing.append("invoice_date")
    if "total_amount" not in fields or float(fields["total_amount"]) not in {float(a) for a in amounts}:
        missing.append("total_amount")
    if letters_and_digits(fields.get("seller_name")) not in printed:
        missing.append("seller_name")
    return missing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path, help="a checkout of github.com/ZUGFeRD/corpus (or mustangproject)")
    parser.add_argument("out", type=Path)
    kind = parser.add_mutually_exclusive_group()
    kind.add_argument("--mustang", action="store_true", help="the checkout is of ZUGFeRD/mustangproject")
    kind.add_argument("--ferd22", action="store_true", help="the checkout is of stephanstapel/ZUGFeRD-csharp")
    kind.add_argument("--ferd24", action="store_true", help="the same checkout, its ZUGFeRD 2.4 samples")
    args = parser.parse_args()
    docs = args.out / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    if args.mustang:
        files, prefix = MUSTANG_FILES, "mp-"
    elif args.ferd22:
        files, prefix = FERD22_FILES, "f22-"
    elif args.ferd24:
        files, prefix = FERD24_FILES, "f24-"
    else:
        files, prefix = FILES, "x-"
    kept = []
    for name in files:
        source = args.corpus / name
        attachments = pypdf.PdfReader(source).attachments
        xml = next((data[0] for file, data in attachments.items() if file.lower().endswith(".xml")), None)
        if xml is None:
            print(f"dropped {name}: no XML attached")
            continue
        fields = gold_fields(xml)
        target = docs / f"{prefix}{source.name}"
        shutil.copyfile(source, target)
        missing = disagreements(fields, read_document(target, docs).text)
        if missing:
            target.unlink()
            print(f"dropped {name}: the text does not print the XML's {', '.join(missing)}")
            continue
        kept.append({"id": target.stem, "fields": fields})
        print(f"kept    {name}: {len(fields.get('line_items', []))} line items")
    with open(args.out / "gold.jsonl", "w", encoding="utf-8") as gold:
        gold.writelines(json.dumps(k, ensure_ascii=False) + "\n" for k in kept)
    print(f"{len(kept)} of {len(files)} invoices in {args.out}")


if __name__ == "__main__":
    main()
