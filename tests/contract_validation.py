"""Validating sandbox answers against an official OpenAPI subset (OAS 3.0, ``nullable`` aware)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

from openapi_schema_validator import OAS30Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4


class ContractSchemas:
    def __init__(self, spec_file: Path, name: str, relax: Any = None) -> None:
        self.spec = json.loads(spec_file.read_text())
        if relax:
            relax(self.spec)
        self.urn = f"urn:{name}"
        self.registry = Registry().with_resource(
            self.urn, Resource.from_contents(self.spec, default_specification=DRAFT4)
        )

    def response(self, path: str, method: str, status: str) -> OAS30Validator:
        parts = (
            "paths",
            path,
            method,
            "responses",
            status,
            "content",
            "application/json",
            "schema",
        )
        pointer = "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)
        return OAS30Validator({"$ref": f"{self.urn}#/{quote(pointer)}"}, registry=self.registry)

    def component(self, name: str) -> OAS30Validator:
        return OAS30Validator(
            {"$ref": f"{self.urn}#/components/schemas/{name}"}, registry=self.registry
        )


def admit_nullable_enums(node: Any) -> Any:
    """OpenAPI 3.0 leaves ``nullable: true`` beside an ``enum`` ambiguous; trackers send null
    there (GitHub's ``state_reason`` on every open issue), so null is admitted wherever the
    schema says nullable. Nothing else is relaxed."""
    if isinstance(node, dict):
        if node.get("nullable") and isinstance(node.get("enum"), list) and None not in node["enum"]:
            node["enum"] = [*node["enum"], None]
        for value in node.values():
            admit_nullable_enums(value)
    elif isinstance(node, list):
        for value in node:
            admit_nullable_enums(value)
    return node
