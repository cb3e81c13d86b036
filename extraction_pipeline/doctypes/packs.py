"""Document types as packs: one folder per type, found at run time, so a user's fields need no code change.

A pack folder holds
- `schema.py`: exactly one top-level pydantic model (models it nests, such as a line item, may sit
  beside it). Its field descriptions and types are what the model is asked for and what validates the
  answer.
- `prompt.toml`: the prompt template (see llm/prompts.py) with `variables = ["document_text"]`.
- `checks.py` (optional): `CHECKS`, a list of checks; `complete(answer, text)`, which may fill values the
  model cut short from the document's own lines before validation; `reask_note(fields, text)`, text
  added to a re-ask about fields that failed validation.

The built-in types are packs in `prompts/` (the same format, no special path through the code); a
user's packs sit in `EXTRACTION_DOCUMENT_TYPES_DIR`, and one with a built-in name replaces it. A
malformed pack fails at load with the file and the reason, before any document is sent.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import sys
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

from pydantic import BaseModel

from extraction_pipeline.extraction.grounding import Evidence
from extraction_pipeline.llm.prompts import PromptError, PromptTemplate, load_template

# Detect each document's type instead of assuming one; a document no type fits is "other".
AUTO = "auto"
OTHER = "other"
PROMPT_VARIABLES = ("document_text",)


class PackError(ValueError):
    """A document-type pack that cannot be used; the message names the file."""


@dataclass(frozen=True)
class CheckedDocument:
    """What a check sees besides the record: the document's text and where each value was found in it."""

    text: str
    evidence: dict[str, Evidence]


# A check returns {field: problem}. The problem is quoted in a re-ask, and when it stays after the
# last one the field is flagged on the record; an empty dict means the record passes.
Check = Callable[[dict[str, Any], CheckedDocument], dict[str, str]]
Completer = Callable[[dict[str, Any], str], dict[str, Any]]
ReaskNote = Callable[[tuple[str, ...], str], str]


@dataclass(frozen=True)
class DocumentType:
    name: str
    model: type[BaseModel]
    prompt: PromptTemplate
    folder: Path
    checks: tuple[Check, ...] = ()
    completer: Completer | None = None
    reask_note: ReaskNote | None = None

    @property
    def fields(self) -> list[str]:
        return list(self.model.model_fields)

    def problems(self, record: dict[str, Any], text: str, evidence: dict[str, Evidence]) -> dict[str, str]:
        """Every check's problems, by field (a later check's problem with the same field is added)."""
        found: dict[str, str] = {}
        document = CheckedDocument(text, evidence)
        for check in self.checks:
            for field, problem in check(record, document).items():
                found[field] = f"{found[field]}\n{problem}" if field in found else problem
        return found

    def complete(self, answer: dict[str, Any], text: str) -> dict[str, Any]:
        return self.completer(answer, text) if self.completer else {}

    def note_for(self, fields: tuple[str, ...], text: str) -> str:
        return self.reask_note(fields, text) if self.reask_note else ""


def load_pack(folder: Path) -> DocumentType:
    schema_file, prompt_file, checks_file = folder / "schema.py", folder / "prompt.toml", folder / "checks.py"
    for required in (schema_file, prompt_file):
        if not required.is_file():
            raise PackError(f"{required}: missing; a document-type pack needs schema.py and prompt.toml")
    model = _the_model(schema_file, _module(schema_file, folder.name))
    try:
        prompt = load_template(prompt_file)
    except PromptError as exc:
        raise PackError(str(exc)) from exc
    if prompt.variables != PROMPT_VARIABLES:
        raise PackError(f"{prompt_file}: variables must be {list(PROMPT_VARIABLES)}, not {list(prompt.variables)}")
    if not checks_file.is_file():
        return DocumentType(folder.name, model, prompt, folder)
    module = _module(checks_file, folder.name)
    checks = tuple(getattr(module, "CHECKS", ()))
    hooks = {name: getattr(module, name, None) for name in ("complete", "reask_note")}
    if not all(callable(c) for c in checks) or not all(h is None or callable(h) for h in hooks.values()):
        raise PackError(f"{checks_file}: CHECKS must be a list of functions, complete and reask_note functions")
    return DocumentType(folder.name, model, prompt, folder, checks, hooks["complete"], hooks["reask_note"])


def load_packs(*dirs: Path | None) -> dict[str, DocumentType]:
    """Every pack in these folders, by name (the folder's name); a later folder's pack replaces an
    earlier one of the same name. A folder without `prompt.toml` is not a pack (`prompts/` holds the
    core's own templates beside the packs)."""
    packs: dict[str, DocumentType] = {}
    for root in filter(None, dirs):
        if not root.is_dir():
            raise PackError(f"{root}: the document types folder does not exist")
        for folder in sorted(p for p in root.iterdir() if p.is_dir() and (p / "prompt.toml").exists()):
            if folder.name in (AUTO, OTHER):
                raise PackError(f"{folder}: {folder.name!r} is reserved and cannot name a document type")
            packs[folder.name] = load_pack(folder)
    return packs


@functools.cache
def document_types(builtin_dir: Path, user_dir: Path | None = None) -> dict[str, DocumentType]:
    """The packs a run uses, loaded once per process and folder pair (a pack edit needs a code reload,
    as a code change does)."""
    return load_packs(builtin_dir, user_dir)


def fields_for(doc_types: Iterable[DocumentType]) -> list[str]:
    """The columns of a table holding these document types: their fields, in a stable order."""
    fields: list[str] = []
    for doc_type in doc_types:
        fields += [f for f in doc_type.fields if f not in fields]
    return fields


def nested_fields(doc_types: Iterable[DocumentType]) -> list[str]:
    """The fields that hold a list of objects (`line_items`): rows of a table of their own."""
    return [
        name
        for t in doc_types
        for name, info in t.model.model_fields.items()
        if typing.get_origin(info.annotation) is list
        and any(isinstance(a, type) and issubclass(a, BaseModel) for a in typing.get_args(info.annotation))
    ]


def number_fields(doc_type: DocumentType) -> set[str]:
    """The single fields the type's schema holds as numbers (amounts, counts)."""
    properties = doc_type.model.model_json_schema().get("properties", {})
    return {
        name for name, prop in properties.items() if "number" in {p.get("type") for p in [prop, *prop.get("anyOf", [])]}
    }


def _module(path: Path, pack: str) -> types.ModuleType:
    """Import a pack file under a name of its own: pydantic resolves the model's annotations through
    `sys.modules`, and two packs' `schema.py` must not replace each other."""
    digest = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:12]
    name = f"extraction_pipeline_packs.{pack}_{digest}.{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise PackError(f"{path}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[name]
        raise PackError(f"{path}: {type(exc).__name__}: {exc}") from exc
    return module


def _the_model(path: Path, module: types.ModuleType) -> type[BaseModel]:
    """The one model of `schema.py` that no other model of it nests."""
    own = [
        v
        for v in vars(module).values()
        if isinstance(v, type) and issubclass(v, BaseModel) and v.__module__ == module.__name__
    ]
    nested = {inner for model in own for inner in _nested(model)}
    top = [m for m in own if m not in nested]
    if len(top) != 1:
        found = ", ".join(m.__name__ for m in top) or "none"
        raise PackError(f"{path}: needs exactly one top-level pydantic BaseModel subclass, found {found}")
    return top[0]


def _nested(model: type[BaseModel]) -> set[type[BaseModel]]:
    found: set[type[BaseModel]] = set()
    pending = [f.annotation for f in model.model_fields.values()]
    while pending:
        tp = pending.pop()
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            found.add(tp)
        pending.extend(typing.get_args(tp))
    return found
