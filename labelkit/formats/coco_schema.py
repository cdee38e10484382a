"""COCO schema validation with the bundled ``schemas/coco.schema.json``."""

from __future__ import annotations

from pathlib import Path

from labelkit.errors import json_pointer
from labelkit.io import load_json
from labelkit.report import Finding
from labelkit.schemas_util import load_schema

MAX_FINDINGS = 100
"""Schema findings reported per file (a broken generator repeats one mistake a million times)."""


def schema_findings(path: Path) -> list[Finding]:
    """Schema violations of one COCO file, each with the JSON pointer of the offending value.

    Raises:
        InputError: the file is not valid JSON (with its line).
    """
    import jsonschema

    validator = jsonschema.Draft202012Validator(load_schema("coco.schema.json"))
    document = load_json(path)
    findings: list[Finding] = []
    errors = validator.iter_errors(document)
    for error in errors:
        best = jsonschema.exceptions.best_match([error])
        findings.append(Finding(str(path), "#" + json_pointer(*best.absolute_path), best.message))
        if len(findings) >= MAX_FINDINGS:
            break
    findings.sort(key=lambda f: f.where)
    return findings
