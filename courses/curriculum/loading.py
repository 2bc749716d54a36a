"""Safe YAML reading for curricula: the text is decoded as UTF-8 within a size limit, then
loaded by a safe loader that refuses anchors and aliases and deep nesting and keeps dates as
text, while the line of every key and list item is recorded (``KeyPath`` -> line) so that each
problem can name its line; duplicate and non-text keys are refused. Problems stop the reading
at once as ``_Stop(line, field, message)``. Pure Python: no Django.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from courses.curriculum.model import CurriculumIssue

_STR_TAG = "tag:yaml.org,2002:str"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
KeyPath = tuple[str | int, ...]


class _Stop(Exception):
    """Stops reading at once: ``args`` are (line, field, message)."""


class _Loader(yaml.SafeLoader):
    """Safe loader that refuses anchors/aliases and deep nesting, and keeps dates as text."""

    yaml_implicit_resolvers = {
        first: [r for r in resolvers if r[0] != _TIMESTAMP_TAG]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def __init__(self, stream: str, *, max_depth: int) -> None:
        super().__init__(stream)
        self.depth, self.max_depth = 0, max_depth

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        event = self.peek_event()
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            message = "YAML anchors and aliases (&name, *name) are not allowed; write it out"
            raise _Stop(line, "(file)", message)
        if self.depth >= self.max_depth:
            raise _Stop(line, "(file)", f"nested more than {self.max_depth} levels deep")
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def format_path(path: KeyPath) -> str:
    """``("modules", 2, "sessions", 0, "title")`` -> ``modules[2].sessions[0].title``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _decode(data: bytes | str, *, max_bytes: int) -> str:
    size = len(data.encode("utf-8", "surrogatepass")) if isinstance(data, str) else len(data)
    if size > max_bytes:
        raise _Stop(None, "(file)", f"the file is {size:,} bytes; the limit is {max_bytes:,}")
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, bad = data.count(b"\n", 0, exc.start) + 1, data[exc.start]
        where = f"byte 0x{bad:02X} at offset {exc.start}"
        raise _Stop(line, "(file)", f"not valid UTF-8 ({where}); save it as UTF-8") from None


def _line_of(lines: dict[KeyPath, int], path: KeyPath) -> int:
    """The line of ``path``, or of its nearest ancestor that has one."""
    while path not in lines:
        path = path[:-1]
    return lines[path]


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def _index_nodes(node: Node, path: KeyPath, lines: dict[KeyPath, int], errors: list) -> None:
    """Record the line of every key and item; refuse non-text and duplicate keys."""
    if isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*path, index)] = _line(item)
            _index_nodes(item, (*path, index), lines, errors)
    if not isinstance(node, MappingNode):
        return
    seen: dict[str, int] = {}
    for key_node, value_node in node.value:
        line, child = _line(key_node), (*path, key_node.value)
        if not isinstance(key_node, ScalarNode) or key_node.tag != _STR_TAG:
            errors.append(CurriculumIssue(line, format_path(path), "keys must be plain names"))
        elif key_node.value in seen:
            message = f"duplicate key (first given on line {seen[key_node.value]})"
            errors.append(CurriculumIssue(line, format_path(child), message))
        else:
            seen[key_node.value] = lines[child] = line
            _index_nodes(value_node, child, lines, errors)


def _load_yaml(text: str, *, max_depth: int) -> tuple[dict[str, Any], dict[KeyPath, int]]:
    loader = None
    try:
        loader = _Loader(text, max_depth=max_depth)  # checks for unprintable characters
        node = loader.get_single_node()
        if node is None:
            raise _Stop(1, "(top level)", "the file is empty")
        if not isinstance(node, MappingNode):
            kind = "a list" if isinstance(node, SequenceNode) else "a single value"
            message = f"the top level must be a mapping of fields (code:, title:, …), not {kind}"
            raise _Stop(_line(node), "(top level)", message)
        lines: dict[KeyPath, int] = {(): _line(node)}
        errors: list[CurriculumIssue] = []
        _index_nodes(node, (), lines, errors)
        if errors:
            raise _Stop(*errors)
        return loader.construct_document(node), lines
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        detail = exc.problem or "malformed YAML"
        detail += f" ({exc.context})" if exc.context else ""
        line = mark.line + 1 if mark else None
        raise _Stop(line, "(file)", f"YAML syntax error: {detail}") from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise _Stop(line, "(file)", f"character U+{code:04X} is not allowed in YAML") from None
    except (yaml.YAMLError, ValueError, OverflowError) as exc:
        raise _Stop(None, "(file)", f"unreadable YAML: {exc}") from None
    finally:
        if loader is not None:
            loader.dispose()
