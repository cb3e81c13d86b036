"""Where reading PDFs moves table cells onto their rows, or a label's value onto its line
(documents/table_rows.py), and whether the text of every other page is PDFium's own, character
for character (so answers cached before the rule stay valid). Prints each file where a cell moves
or a page's text differs, and a count; asserts nothing.

    .venv/bin/python benchmarks/pdf_table_rows.py ../shared/datasets/invoices-zugferd/docs CORPUS_CHECKOUT
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pypdfium2

from extraction_pipeline.documents.reading import layer_text, placed_lines
from extraction_pipeline.documents.table_rows import rows_rejoined


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="+", type=Path, help="folders searched for .pdf files (recursively)")
    args = parser.parse_args()
    files = pages = moved_pages = differing = 0
    for path in sorted(p for folder in args.folders for p in folder.rglob("*.pdf")):
        try:
            pdf = pypdfium2.PdfDocument(path)
        except pypdfium2.PdfiumError as exc:
            print(f"{path.name}: not read ({exc})")
            continue
        files += 1
        cells, other = 0, 0
        for number in range(len(pdf)):
            textpage = pdf[number].get_textpage()
            text = layer_text(textpage)
            placed = placed_lines(textpage)
            moved = rows_rejoined(placed)[1]
            pages += 1
            moved_pages += bool(moved)
            cells += moved
            other += not moved and "\n".join(line.text for line in placed) != text
        differing += other
        if cells or other:
            print(f"{path.name}: {cells} cells moved, {other} other pages whose text differs from PDFium's")
        pdf.close()
    print(f"{files} files, {pages} pages: cells moved on {moved_pages}; {differing} other pages differ")


if __name__ == "__main__":
    main()
