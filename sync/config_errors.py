"""Configuration problems as people read them: every problem at once, one line each, the
source by its ``name`` (``sources[acme-jira].repo``), an unknown key named as unknown with the
closest valid key, and never a value that could be a secret."""

from __future__ import annotations

import difflib
import re
import types
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

# A variable name, as a shell and our *_env keys expect it.
VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
SECRET_PREFIXES = re.compile(
    r"^(ghp_|gho_|ghs_|ghu_|github_pat_|glpat-|xox[abp]-|ATATT|Bearer |Basic )"
)


def looks_like_secret(value: Any) -> bool:
    """A value that is no variable name but has a token's shape: never printed."""
    if not isinstance(value, str):
        return False
    if SECRET_PREFIXES.match(value) or not VARIABLE_NAME.match(value):
        return True
    # a long run of mixed case and digits is a token's shape, not a variable's
    mixed = any(c.islower() for c in value) and any(c.isdigit() for c in value)
    return len(value) >= 24 and mixed


def source_label(data: dict[str, Any], index: int, table: str = "sources") -> str:
    """``acme-jira`` for ``sources[0]`` when that source has a usable name, else ``0``."""
    sources = data.get(table)
    if isinstance(sources, list) and index < len(sources) and isinstance(sources[index], dict):
        name = sources[index].get("name")
        if isinstance(name, str) and name and "\n" not in name and len(name) < 80:
            return name
    return str(index)


def key_path(loc: tuple[Any, ...], data: dict[str, Any], kinds: tuple[str, ...]) -> str:
    """``sources[acme-jira].repo`` from pydantic's ``('sources', 0, 'github', 'repo')``."""
    path = ""
    for position, part in enumerate(loc):
        previous = loc[position - 1] if position else None
        if isinstance(part, int):
            named = previous in ("sources", "notify") and position == 1
            label = source_label(data, part, str(previous)) if named else part
            path += f"[{label}]"
        elif isinstance(previous, int) and part in kinds:
            continue  # the discriminator tag pydantic inserts after a list index
        else:
            path += f".{part}" if path else str(part)
    return path or "(top level)"


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds, through ``list[...]``, ``Annotated`` and ``X | None``."""
    for _ in range(4):
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return annotation
        origin = get_origin(annotation)
        args = [a for a in get_args(annotation) if a is not type(None)]
        if origin in (Union, types.UnionType) and len(args) != 1:
            return None
        if not args:
            return None
        annotation = args[0]
    return None


def valid_keys(
    loc: tuple[Any, ...], root: type[BaseModel], by_kind: dict[str, type[BaseModel]]
) -> list[str]:
    """The keys allowed where ``loc`` points (its last part being the unknown key)."""
    model: type[BaseModel] | None = root
    for position, part in enumerate(loc[:-1]):
        if isinstance(loc[position - 1] if position else None, int) and part in by_kind:
            model = by_kind[part]  # the discriminator tag: the tracker's own model
        elif isinstance(part, int):
            continue
        elif model is not None:
            field = model.model_fields.get(part)
            model = _model_of(field.annotation) if field else None
    return list(model.model_fields) if model else []


def describe(
    error: dict[str, Any],
    data: dict[str, Any],
    root: type[BaseModel],
    by_kind: dict[str, type[BaseModel]],
) -> str:
    """One pydantic error as ``config: PATH: PROBLEM``; the input is never shown."""
    kinds = tuple(by_kind)
    loc = tuple(error["loc"])
    path = key_path(loc, data, kinds)
    kind = error["type"]
    message = error["msg"]
    if kind == "missing":
        message = "field required"
    elif kind == "extra_forbidden":
        message = "unknown key"
        close = difflib.get_close_matches(str(loc[-1]), valid_keys(loc, root, by_kind), n=1)
        if close:
            message += f" (did you mean {close[0]}?)"
    elif kind == "union_tag_invalid":
        path += ".kind"
        tag = error.get("ctx", {}).get("tag")
        shown = f" {tag!r}" if isinstance(tag, str) and not looks_like_secret(tag) else ""
        message = f"unknown kind{shown}; expected one of: " + ", ".join(kinds)
    elif kind == "union_tag_not_found":
        path += ".kind"
        message = "field required (one of: " + ", ".join(kinds) + ")"
    message = message.removeprefix("Value error, ")
    message = message[:1].lower() + message[1:]
    return f"config: {path}: {message}"


def validation_lines(
    exc: ValidationError,
    data: dict[str, Any],
    root: type[BaseModel],
    by_kind: dict[str, type[BaseModel]],
) -> list[str]:
    lines: list[str] = []
    for error in exc.errors(include_input=False):
        line = describe(error, data, root, by_kind)
        if line not in lines:
            lines.append(line)
    return lines


def env_name_lines(data: dict[str, Any], secret_keys: frozenset[str]) -> list[str]:
    """A secret in the file, or a token pasted where a variable's name belongs: named by its
    key, never echoed."""
    lines: list[str] = []
    for table in ("sources", "notify"):
        entries = data.get(table)
        for index, entry in enumerate(entries if isinstance(entries, list) else []):
            if isinstance(entry, dict):
                where = f"config: {table}[{source_label(data, index, table)}]"
                lines += _entry_secret_lines(where, entry, secret_keys)
    return lines


def _entry_secret_lines(
    where: str, entry: dict[str, Any], secret_keys: frozenset[str]
) -> list[str]:
    lines: list[str] = []
    for key, value in entry.items():
        if key.lower() in secret_keys:
            lines.append(
                f"{where}.{key}: secrets are not read from the config file; put it in an"
                f" environment variable and name that variable in {secret_env_key(key)}"
            )
        elif key.endswith("_env") and looks_like_secret(value):
            lines.append(
                f"{where}.{key}: this looks like a secret, not the name of an environment"
                " variable; put the secret in a variable and give its name here"
                " (the value is not shown)"
            )
    return lines


def secret_env_key(key: str) -> str:
    return {"client_secret": "client_secret_env", "client_id": "client_id_env"}.get(
        key.lower(), "token_env"
    )
