"""Which lines of human transcriptions the OCR legal-form reading (documents/misreads.py) would
change: each is a false correction, since a person wrote what was printed. Prints the lines and a
count; asserts nothing.

    .venv/bin/python benchmarks/ocr_misreads.py ../shared/datasets/sroie-train/docs ../shared/datasets/cord-receipts/docs
"""

from __future__ import annotations

import argparse
from pathlib import Path

from extraction_pipeline.documents.misreads import legal_forms_read_back


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="+", type=Path, help="folders of .txt transcriptions")
    args = parser.parse_args()
    files = lines = changed = 0
    for folder in args.folders:
        for path in sorted(folder.glob("*.txt")):
            files += 1
            for line in path.read_text(encoding="utf-8").splitlines():
                lines += 1
                if (read := legal_forms_read_back(line)) != line:
                    changed += 1
                    print(f"{path.name}: {line!r} -> {read!r}")
    print(f"{changed} of {lines} lines in {files} files would change")


if __name__ == "__main__":
    main()
