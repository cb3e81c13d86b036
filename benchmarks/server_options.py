"""Settings of the embedded llama.cpp server: seconds, output and memory per first request.

Each setting starts its own server (no answer cache) and sends each document's first request, the
one an extraction run sends first, with greedy decoding; it prints the seconds, whether the
answers are the same as with the first setting, and the server's resident memory. A setting is
`LOGITS:LOOKUP[:fa]`:
- `all` or `last`: llama-cpp-python's server keeps the logits of every prompt token by default (for
  logprobs, which no request here asks for), a vocabulary of 151,936 floats each; `last` turns
  that off (`logits_all`), as local_model.SERVER_OPTIONS does;
- LOOKUP: prompt lookup decoding with that many tokens proposed (0: off): an answer copies its
  values from the prompt, so the tokens that followed the last ones generated where they occur in
  the prompt are proposed and checked in one batch;
- `fa`: flash attention.

    .venv/bin/python benchmarks/server_options.py DOCS_DIR [--docs 8] [--settings all:0 last:0 all:10 last:0:fa]

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from extraction_pipeline.doctypes.detection import detect_type  # noqa: E402
from extraction_pipeline.doctypes.packs import document_types  # noqa: E402
from extraction_pipeline.doctypes.schemas import llm_json_schema  # noqa: E402
from extraction_pipeline.documents.reading import read_document  # noqa: E402
from extraction_pipeline.llm.client import LLMClient  # noqa: E402
from extraction_pipeline.llm.local_model import DEFAULT_MODEL, embedded_server  # noqa: E402
from extraction_pipeline.settings import Settings  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("docs", type=Path)
    parser.add_argument("--docs", dest="count", type=int, default=8)
    parser.add_argument(
        "--settings",
        nargs="+",
        default=["all:0", "last:0"],
        help="LOGITS:LOOKUP[:fa] each: logits of all prompt tokens or the last only, tokens proposed (0: off), "
        "flash attention",
    )
    parser.add_argument("--port", type=int, default=8790)
    parser.add_argument("--log", type=Path, help="the servers' log file")
    args = parser.parse_args()
    settings = Settings.load()
    types = document_types(settings.prompts_dir)
    requests = []
    for path in sorted(args.docs.iterdir())[: args.count]:
        doc = read_document(path, args.docs)
        doc_type = types.get(detect_type(doc.text)) or types["invoice"]
        requests.append((path.name, doc_type.name, doc_type.prompt.render(document_text=doc.text),
                         llm_json_schema(doc_type.model)))  # fmt: skip
    answers: dict[str, list[str]] = {}
    for setting in args.settings:
        logits, lookup, *flash = setting.split(":")
        options: dict[str, object] = {"logits_all": logits == "all", "flash_attn": flash == ["fa"]}
        if int(lookup):
            options.update(draft_model="prompt-lookup-decoding", draft_model_num_pred_tokens=int(lookup))
        server = embedded_server((DEFAULT_MODEL,), port=args.port, log_path=args.log, options=options)
        with server as base_url:
            client = LLMClient(model=DEFAULT_MODEL.alias, base_url=base_url, response_format="json_object_schema",
                               max_output_tokens=1500, timeout_s=900)  # fmt: skip
            seconds, out_tokens, texts = [], 0, []
            for name, type_name, messages, schema in requests:
                started = time.perf_counter()
                completion = client.complete(messages, type_name, schema)
                seconds.append(time.perf_counter() - started)
                out_tokens += completion.output_tokens
                texts.append(completion.text)
                print(f"  {setting:8} {name[:40]:40} {seconds[-1]:6.1f} s  {completion.output_tokens} out")
            answers[setting] = texts
            same = sum(a == b for a, b in zip(texts, answers[args.settings[0]]))
            print(
                f"{setting}: {sum(seconds):.0f} s for {len(seconds)} requests (median "
                f"{statistics.median(seconds):.1f} s), {out_tokens / sum(seconds):.1f} output tokens/s, "
                f"{same}/{len(texts)} answers identical to {args.settings[0]}, server RSS {_rss_mb(args.port)} MB"
            )


def _rss_mb(port: int) -> int:
    """Resident memory of the server listening on `port` (its config file names the port)."""
    for status in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if f"llama-server-{port}.json".encode() in status.read_bytes():
                rss = (status.parent / "status").read_text().split("VmRSS:")[1].split()[0]
                return int(rss) // 1024
        except (OSError, IndexError):
            continue
    return -1


if __name__ == "__main__":
    main()
