"""Prompt templates as reviewed files: explicit variables, a version, and a hash of the exact text.

A template is a TOML file (in `prompts/`, or a document type's `prompt.toml`) with `name`, `version`, `variables`, and a `system` and/or
`user` message using `${variable}` placeholders. A placeholder that is not declared, or a declared
variable that is not used, fails at load; a missing or unknown value fails at render. Both ways a
prompt edit cannot silently send a literal `${...}` to the model.
"""

from __future__ import annotations

import hashlib
import string
import tomllib
from dataclasses import dataclass
from pathlib import Path

from extraction_pipeline.settings import Settings

_ROLES = ("system", "user")


class PromptError(ValueError):
    pass


@dataclass(frozen=True)
class PromptTemplate:
    name: str
    version: str
    variables: tuple[str, ...]
    messages: tuple[tuple[str, str], ...]  # (role, template text)
    sha256: str

    @property
    def ref(self) -> str:
        """How a call names its prompt in logs and metadata: name, version and a short hash."""
        return f"{self.name}@v{self.version}#{self.sha256[:12]}"

    def render(self, **values: str) -> list[dict[str, str]]:
        missing = sorted(set(self.variables) - set(values))
        unknown = sorted(set(values) - set(self.variables))
        if missing or unknown:
            raise PromptError(f"prompt {self.name!r}: missing variables {missing}, unknown variables {unknown}")
        return [{"role": role, "content": string.Template(text).substitute(values)} for role, text in self.messages]


def load_prompt(name: str, prompts_dir: Path | None = None) -> PromptTemplate:
    """One of the core's own templates (`reask`); a document type's prompt comes with its pack."""
    return load_template((prompts_dir or Settings.load().prompts_dir) / f"{name}.toml")


def load_template(path: Path) -> PromptTemplate:
    try:
        raw = path.read_bytes()
        spec = tomllib.loads(raw.decode("utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise PromptError(f"cannot load prompt {path}: {exc}") from exc
    for key in ("name", "version", "variables"):
        if key not in spec:
            raise PromptError(f"{path}: missing key {key!r}")
    messages = tuple((role, spec[role]) for role in _ROLES if role in spec)
    if not messages:
        raise PromptError(f"{path}: needs a 'system' or 'user' message")
    used = set()
    for _, text in messages:
        template = string.Template(text)
        if not template.is_valid():
            raise PromptError(f"{path}: malformed placeholder in template")
        used.update(template.get_identifiers())
    declared = set(spec["variables"])
    if used != declared:
        braced = sorted(v for v in declared - used if any(f"{{{v}}}" in text for _, text in messages))
        hint = f" (a placeholder is written ${{{braced[0]}}}, not {{{braced[0]}}})" if braced else ""
        raise PromptError(f"{path}: declared variables {sorted(declared)} but the text uses {sorted(used)}{hint}")
    return PromptTemplate(
        name=spec["name"],
        version=str(spec["version"]),
        variables=tuple(spec["variables"]),
        messages=messages,
        sha256=hashlib.sha256(raw).hexdigest(),
    )
