"""Reading a catalog file into plain Python data, safely.

Catalog files come from people and tools we do not control, so reading one
must never hang, exhaust memory or crash the interpreter: YAML alias bombs,
self-referencing aliases and absurdly deep nesting are refused with a clear
message, and every syntax error carries its line and column.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

import yaml

from configurator.engine.problems import CatalogError, Problem, said

MAX_ALIASES = 100
# Aliases may share structure, but expanding them may add at most this many
# values to the document: a catalog has no reason to repeat itself more.
MAX_ALIAS_EXPANSION = 1_000_000
# libyaml's composer recurses in C; far deeper documents crash the process.
MAX_NESTING = 100

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MERGE_TAG = "tag:yaml.org,2002:merge"
_BRACKET = re.compile(r"[\[\]{}]")
_BLOCK_PREFIX = re.compile(r"^[ \t?:-]*", re.MULTILINE)


class _CatalogLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """The safe loader, noting duplicate keys instead of letting the last one win."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicate_keys: list[tuple[str, Any]] = []

    def construct_mapping(self, node: yaml.Node, deep: bool = False) -> dict:
        """Construct a mapping after noting keys written twice in it."""
        if isinstance(node, yaml.MappingNode):
            self._note_duplicate_keys(node)
        return super().construct_mapping(node, deep=deep)

    def _note_duplicate_keys(self, node: yaml.MappingNode) -> None:
        seen: set[tuple[str, str]] = set()
        for key_node, _value in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE_TAG:
                continue
            key = (key_node.tag, key_node.value)
            if key in seen:
                self.duplicate_keys.append((key_node.value, key_node.start_mark))
            seen.add(key)


def read_document(text: str, file: str, *, as_json: bool) -> tuple[Any, list[Problem]]:
    """Parse a catalog file's text into plain data.

    Returns the data and the problems found on the way that do not stop
    reading (keys written twice); raises CatalogError when the text cannot be
    read at all.
    """
    try:
        if not text.strip():
            raise CatalogError([Problem(file, "", said("the file is empty"))])
        if as_json:
            return _read_json(text, file)
        return _read_yaml(text, file)
    except CatalogError as error:
        raise CatalogError([replace(problem, syntax=True) for problem in error.problems]) from None


# ---------------------------------------------------------------------- JSON


def _read_json(text: str, file: str) -> tuple[Any, list[Problem]]:
    duplicates: list[str] = []

    def pairs_to_dict(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result = dict(pairs)
        if len(result) != len(pairs):
            seen: set[str] = set()
            for key, _value in pairs:
                if key in seen:
                    duplicates.append(key)
                seen.add(key)
        return result

    try:
        data = json.loads(text, object_pairs_hook=pairs_to_dict)
    except json.JSONDecodeError as error:
        location = said("line %(line)s, column %(column)s", line=error.lineno, column=error.colno)
        # Ours is the summary a reader gets in their language; json's own words follow it.
        raise CatalogError([Problem(file, location, said("not valid JSON: %(detail)s",
                                                         detail=error.msg))]) from None
    except RecursionError:
        raise CatalogError([Problem(file, "", said("the document is nested too deeply"))]) from None
    problems = [
        Problem(file, "", said("key %(key)s appears more than once in the same object",
                               key=_quote(key)))
        for key in duplicates
    ]
    return data, problems


# ---------------------------------------------------------------------- YAML


def _read_yaml(text: str, file: str) -> tuple[Any, list[Problem]]:
    _refuse_deep_nesting(text, file)
    loader = _CatalogLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise CatalogError([Problem(file, "", said("the file holds no data, only comments"))])
        if "&" in text:  # no anchor, no alias: skip the walk for ordinary files
            _refuse_alias_bombs(node, file)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        raise CatalogError([_yaml_problem(file, error)]) from None
    except yaml.YAMLError as error:
        message = " ".join(str(error).split())
        raise CatalogError([Problem(file, "", said("not valid YAML: %(detail)s", detail=message))]) from None
    except RecursionError:
        raise CatalogError([Problem(file, "", said("the document is nested too deeply"))]) from None
    finally:
        loader.dispose()
    problems = [
        Problem(file, _mark(mark), said("key %(key)s appears more than once in the same mapping",
                                        key=_quote(key)))
        for key, mark in loader.duplicate_keys
    ]
    return data, problems


def _yaml_problem(file: str, error: yaml.MarkedYAMLError) -> Problem:
    mark = error.problem_mark or error.context_mark
    what = error.problem or error.context or "syntax error"
    if error.context and error.problem:
        # PyYAML pairs "expected X" with "but found Y", and "while parsing" with the problem.
        if error.context.startswith("while"):
            what = f"{error.problem} ({error.context})"
        else:
            what = f"{error.context}, {error.problem}"
    # Ours is the summary a reader gets in their language; PyYAML's own words follow it.
    return Problem(file, _mark(mark) if mark else "", said("not valid YAML: %(detail)s", detail=what))


def _mark(mark: Any) -> str:
    return said("line %(line)s, column %(column)s", line=mark.line + 1, column=mark.column + 1)


def _refuse_deep_nesting(text: str, file: str) -> None:
    """Refuse documents nested deeper than MAX_NESTING before libyaml composes them."""
    if _nesting_bound(text) <= MAX_NESTING:
        return
    try:
        _walk_depth(text, file, _BaseLoader)
    except yaml.YAMLError:
        # libyaml scans flow brackets ahead of its events and, since PyYAML 6.0.3,
        # stops at its own depth limit before we see one event. The pure-Python
        # parser yields events as it goes, so it reaches our limit first and the
        # message stays ours whatever the PyYAML version.
        try:
            _walk_depth(text, file, yaml.SafeLoader)
        except yaml.YAMLError:
            return  # the loader reports it, at a depth already known to be safe


def _walk_depth(text: str, file: str, loader: type) -> None:
    """Raise CatalogError at the first collection nested deeper than MAX_NESTING."""
    depth = 0
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            depth += 1
            if depth > MAX_NESTING:
                raise CatalogError([Problem(
                    file,
                    _mark(event.start_mark),
                    said("the document is nested more than %(most)s levels deep", most=MAX_NESTING),
                )])
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            depth -= 1


def _nesting_bound(text: str) -> int:
    """A cheap upper bound of the nesting depth, to skip the exact check for normal files.

    Flow collections nest with brackets; block collections only by starting
    further right (indentation, `- ` or `? ` prefixes), at most two levels per
    column (a mapping and its indentless sequence).
    """
    flow = deepest = 0
    for bracket in _BRACKET.finditer(text):
        flow = flow + 1 if bracket.group() in "[{" else max(flow - 1, 0)
        deepest = max(deepest, flow)
    block = max((len(prefix.group()) for prefix in _BLOCK_PREFIX.finditer(text)), default=0)
    return deepest + 2 * block + 2


def _refuse_alias_bombs(root: yaml.Node, file: str) -> None:
    """Refuse too many aliases, aliases that expand hugely and aliases that contain themselves."""
    unique, references = _count_nodes(root)
    aliases = references - (unique - 1)
    if aliases > MAX_ALIASES:
        message = said("the document uses %(count)s aliases (*name); at most %(most)s are allowed",
                       count=aliases, most=MAX_ALIASES)
        raise CatalogError([Problem(file, "", message)])
    limit = unique + MAX_ALIAS_EXPANSION
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            open_nodes.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node))
            if sizes[key] > limit:
                raise CatalogError([Problem(
                    file, _mark(node.start_mark),
                    said("aliases (*name) expand the document to more than %(most)s values; "
                         "write the values out instead", most=limit),
                )])
            continue
        if key in sizes:
            continue
        if key in open_nodes:
            raise CatalogError([Problem(
                file, _mark(node.start_mark), said("an alias (*name) refers to a value that contains it")
            )])
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node))


def _count_nodes(root: yaml.Node) -> tuple[int, int]:
    """Distinct nodes and references to nodes (every reference but the first is an alias)."""
    seen = {id(root)}
    references = 0
    stack = [root]
    while stack:
        for child in _children(stack.pop()):
            references += 1
            if id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
    return len(seen), references


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _quote(value: object) -> str:
    text = str(value)
    return f"'{text[:60]}...'" if len(text) > 60 else f"'{text}'"
