"""A tuning set of real invoices: the sample invoices that github.com/invoice-x/invoice2data (MIT)
tests its templates with (`tests/compare/`) and the invoice of one of its table tests, in the
gold.jsonl format of invoices-zugferd. Real issuers' layouts, unlike the datasets' generated ones: a French invoice whose only mention of its
issuer is the footer, a German one whose number and date sit in a box of labels, Indian, Dutch,
Polish and US ones.

    .venv/bin/python benchmarks/invoice2data_set.py INVOICE2DATA_CHECKOUT OUT_DIR
    .venv/bin/extraction-pipeline evaluate OUT_DIR/docs OUT_DIR/gold.jsonl

invoice2data's own expected values name a template's issuer (`Free`, `Flipkart`), so the gold
below was written from each printed invoice: the seller's name as it prints it (the legal name,
`Free SAS`; the marketplace's seller, not the marketplace), the invoice's number, date, currency
and totals. Left out: `AzureInterior.pdf` (an Odoo demo whose seller cannot be told from the
customer), `saeco.pdf` (its issuer is printed only in an image), `oyo.pdf` (a payment receipt).
Tuning part: its errors were read and rules written from them.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

GOLD = {
    "AmazonWebServices.pdf": ("Amazon Web Services, Inc.", "42183017", "2014-08-03", "USD", "4.11", "4.11", "0.00"),
    "FlipkartInvoice.pdf": ("WS Retail Services Pvt. Ltd.", "BLR_WFLD20151000982590", "2015-10-20", "INR", "319.00",
                            "278.61", "40.39"),
    "NetpresseInvoice.pdf": ("NETPRESSE", "2022089083", "2022-11-28", "EUR", "56.02", "46.68", "9.34"),
    "Orlen.txt": ("Polski Koncern Naftowy ORLEN S.A.", "F 1234K20/1234/12", "2021-01-01", "PLN", "316.83", "257.59",
                  "59.24"),
    # No VAT on this invoice to Hong Kong, and none printed: the tax total is not labelled.
    "QualityHosting.pdf": ("QualityHosting AG", "30064443", "2014-05-07", "EUR", "34.73", "34.73", None),
    "SammyMaystoneLinesTest.pdf": ("Sammy Maystone", "invoice_number_1", "2022-01-01", "USD", "127.50", "127.50",
                                   "0.00"),
    "coolblue1.pdf": ("Coolblue B.V.", "993548900", "2014-04-19", "EUR", "717.97", "593.36", "124.61"),
    "coolblue2.pdf": ("Coolblue B.V.", "992288600", "2014-03-29", "EUR", "4904.94", "4053.67", "851.27"),
    "free_fiber.pdf": ("Free SAS", "562044387", "2015-07-02", "EUR", "29.99", "24.99", "5.00"),
    # From its table-extraction tests (`tests/files/`).
    "camelot-bol100649863.pdf": ("bol.com b.v.", "8587333880016", "2015-10-29", "EUR", "189.00", "156.20", "32.80"),
}  # fmt: skip
FIELDS = ("seller_name", "invoice_number", "invoice_date", "currency", "total_amount", "net_total", "tax_total")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkout", type=Path, help="a checkout of github.com/invoice-x/invoice2data")
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    docs = args.out / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    with open(args.out / "gold.jsonl", "w", encoding="utf-8") as gold:
        for name, values in GOLD.items():
            target = docs / f"i2d-{name}"
            folder = "files" if name.startswith("camelot-") else "compare"
            shutil.copyfile(args.checkout / "tests" / folder / name, target)
            fields = {k: v for k, v in zip(FIELDS, values) if v is not None}
            gold.write(json.dumps({"id": target.stem, "fields": fields}, ensure_ascii=False) + "\n")
    print(f"{len(GOLD)} invoices in {args.out}")


if __name__ == "__main__":
    main()
