"""Reading and writing the human-editable codebook file (YAML, or JSON by suffix)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from app.core.bounded_read import read_regular_file
from app.core.codebook.entries import SECTIONS, spec_from_sections
from app.core.codebook.spec import (
    CodebookSpec,
    EntityTypeSpec,
    EventTypeSpec,
    RelationTypeSpec,
    RoleSpec,
)
from app.core.codebook.yamlload import CodebookYamlError, parse_yaml
from app.core.errors import CodebookError, ImportRejected
from app.core.temp_files import remove_stale
from app.core.write_target import write_text_file


class _PlainDumper(yaml.SafeDumper):
    """Writes a list used twice twice over, never as an anchor and alias: the file stays plain to
    read and edit by hand."""

    def ignore_aliases(self, data: object) -> bool:
        return True


FORMAT_KEY = "annotary_codebook"
FORMAT_VERSION = 1
MAX_CODEBOOK_BYTES = 5 * 1024 * 1024
"""Codebook files larger than this (5 MiB) are refused; the default codebook is about 30 KB."""


def load_codebook(path: Path) -> CodebookSpec:
    path = Path(path)
    try:
        raw = read_regular_file(path, MAX_CODEBOOK_BYTES).decode("utf-8-sig")  # regular files only, within the size limit
    except ImportRejected as exc:
        raise CodebookError(f"cannot read {path}: {exc.message}") from None
    except UnicodeDecodeError:
        raise CodebookError(f"{path} is not UTF-8 text") from None
    try:
        data = _parse_json(raw) if path.suffix.lower() == ".json" else parse_yaml(raw)
    except CodebookYamlError as exc:
        raise CodebookError(f"{path}:{exc.line}: {exc.message}") from None
    except CodebookError as exc:
        raise CodebookError(f"{path}: {exc}") from None
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else getattr(exc, "lineno", None)
        where = f"{path}:{line}" if line else str(path)
        problem = getattr(exc, "problem", None) or getattr(exc, "msg", None) or type(exc).__name__
        raise CodebookError(f"{where}: not a valid codebook file ({problem})") from None
    except RecursionError:
        raise CodebookError(f"{path}: not a valid codebook file (nested too deeply)") from None
    try:
        spec = codebook_from_dict(data)
    except CodebookError as exc:
        raise CodebookError(f"{path}: {exc}") from None
    return spec


def _parse_json(raw: str) -> Any:
    def whole(text: str) -> int:
        if len(text.lstrip("-")) > 18:
            raise CodebookError(f"the number {text[:20]}... has more than 18 digits; put it in quotes")
        return int(text)

    return json.loads(raw, parse_int=whole)


def codebook_from_dict(data: Any) -> CodebookSpec:
    if not isinstance(data, dict):
        raise CodebookError("a codebook file holds a mapping with entity_types, event_types, ...")
    version = data.get(FORMAT_KEY, FORMAT_VERSION)
    if type(version) is not int or version != FORMAT_VERSION:
        raise CodebookError(f"codebook format {repr(version)[:20]} is not supported (this Annotary reads {FORMAT_VERSION})")
    unknown = set(data) - {FORMAT_KEY, *SECTIONS}
    if unknown:
        raise CodebookError(f"unknown section(s): {', '.join(sorted(str(k)[:40] for k in unknown)[:5])}")
    spec = spec_from_sections(data)
    spec.normalise().validate(case=False)  # the case rule needs the project: apply_codebook
    order = {t.name: i for i, t in enumerate(spec.entity_types)}
    event_order = {t.name: i for i, t in enumerate(spec.event_types)}
    for ev in spec.event_types:
        for role in ev.roles:  # stored in codebook order, so keep files canonical too
            role.accepts.sort(key=order.__getitem__)
            role.accepts_events.sort(key=event_order.__getitem__)
    for rel in spec.relation_types:
        rel.source_accepts.sort(key=order.__getitem__)
        rel.target_accepts.sort(key=order.__getitem__)
    return spec


def codebook_to_dict(spec: CodebookSpec) -> dict[str, Any]:
    def typ(t: EntityTypeSpec | EventTypeSpec | RelationTypeSpec) -> dict[str, Any]:
        out: dict[str, Any] = {"name": t.name, "color": t.color}
        if t.hotkey:
            out["hotkey"] = t.hotkey
        out["definition"] = t.definition
        return out

    def role(r: RoleSpec) -> dict[str, Any]:
        out: dict[str, Any] = {"name": r.name, "accepts": list(r.accepts)}
        if r.accepts_events:  # written only when set, so a codebook without nested events reads as before
            out["accepts_events"] = list(r.accepts_events)
        return {**out, "repeatable": r.repeatable, "definition": r.definition}

    data: dict[str, Any] = {
        FORMAT_KEY: FORMAT_VERSION,
        "entity_types": [typ(t) for t in spec.entity_types],
        "event_types": [
            {
                **typ(t),
                "roles": [role(r) for r in t.roles],
            }
            for t in spec.event_types
        ],
        "attributes": [
            {"name": a.name, "target": a.target, "values": list(a.values), "applies_to": list(a.applies_to),
             "definition": a.definition}
            for a in spec.attributes
        ],
        "document_codes": [
            {"name": c.name, "level": c.level, "values": list(c.values), "definition": c.definition}
            for c in spec.document_codes
        ],
    }
    if spec.relation_types:  # only when there are some, like accepts_events
        data["relation_types"] = [
            {**typ(t), "source_accepts": list(t.source_accepts), "target_accepts": list(t.target_accepts),
             "symmetric": t.symmetric, **({"transitive": True} if t.transitive else {})}
            for t in spec.relation_types
        ]
    return data


def save_codebook(spec: CodebookSpec, path: Path, force: bool = False, project: Path | None = None) -> None:
    """Write the codebook file (JSON for a .json name, else YAML) via a temporary file.

    An existing `path` is replaced only with `force`, and never when it is the project
    (`project`), a database or not a regular file (see app.core.write_target)."""
    path = Path(path)
    data = codebook_to_dict(spec)
    if path.suffix.lower() == ".json":
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    else:
        text = yaml.dump(data, Dumper=_PlainDumper, allow_unicode=True, sort_keys=False, width=100)
    remove_stale(path.parent)
    try:
        write_text_file(path, text, force=force, project=project)
    except OSError as exc:
        raise CodebookError(f"cannot write {path}: {exc.strerror}") from None
