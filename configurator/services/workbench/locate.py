"""Where in a catalog's YAML text a problem is: the line of the feature,
option or constraint a problem's location names, so the editor can show each
problem at its place.

The lines are found once per text (`LineMap`), then each finding is a look-up.
A JSON text (Renault's, automotive01) is not given to the YAML composer, which
takes seconds on it (2-3 s for automotive01's 855 KB): its objects are found
in one pass of regular expressions over the text, matched in order with what
the JSON reader read.
"""

from __future__ import annotations

import json
import re

import yaml

_SYNTAX = re.compile(r"line (\d+)")
_FEATURE = re.compile(r"features\[(\d+)\]")
_OPTION = re.compile(r"options\[(\d+)\]")
_CONSTRAINT = re.compile(r"constraint (?:'[^']*' )?\(?#(\d+)\)?")
_CONSTRAINT_NAME = re.compile(r"constraint '?([a-z0-9][a-z0-9_-]*)'?:")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: the line map of a big catalog in a blink
_PICK = re.compile(r"\b([a-z0-9][a-z0-9_-]*)=([a-z0-9][a-z0-9_-]*)\b")
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


class LineMap:
    """The line (1-based) of each feature, option and constraint of a text."""

    def __init__(self, text: str) -> None:
        self.features: list[int] = []
        self.options: dict[tuple[int, int], int] = {}
        self.constraints: list[int] = []
        self.feature_ids: dict[str, int] = {}
        self.option_ids: dict[tuple[str, str], int] = {}
        self.constraint_ids: dict[str, int] = {}
        if _read_as_json(text, self):
            return
        try:
            root = yaml.compose(text, Loader=_LOADER)
        except (yaml.YAMLError, RecursionError):
            return  # the parser's own problems carry their line
        if isinstance(root, yaml.MappingNode):
            self._read(root)

    def _read(self, root: yaml.MappingNode) -> None:
        for key, value in root.value:
            if key.value == "features" and isinstance(value, yaml.SequenceNode):
                for index, feature in enumerate(value.value):
                    self._feature(index, feature)
            elif key.value == "constraints" and isinstance(value, yaml.SequenceNode):
                for constraint in value.value:
                    self.add_constraint(constraint.start_mark.line + 1, _scalar(constraint, "id"))

    def _feature(self, index: int, node: yaml.Node) -> None:
        feature_id = _scalar(node, "id")
        self.add_feature(node.start_mark.line + 1, feature_id)
        options = _child(node, "options")
        if not isinstance(options, yaml.SequenceNode):
            return
        for position, option in enumerate(options.value):
            self.add_option(index, position, option.start_mark.line + 1, feature_id, _scalar(option, "id"))

    def add_feature(self, line: int, feature_id: object) -> None:
        """The catalog's next feature starts at `line`."""
        self.features.append(line)
        if isinstance(feature_id, str) and feature_id:
            self.feature_ids[feature_id] = line

    def add_option(self, index: int, position: int, line: int, feature_id: object, option_id: object) -> None:
        """The option at `position` of the feature at `index` starts at `line`."""
        self.options[(index, position)] = line
        if isinstance(feature_id, str) and isinstance(option_id, str) and feature_id and option_id:
            self.option_ids[(feature_id, option_id)] = line

    def add_constraint(self, line: int, constraint_id: object) -> None:
        """The catalog's next constraint starts at `line`."""
        self.constraints.append(line)
        if isinstance(constraint_id, str) and constraint_id:
            self.constraint_ids[constraint_id] = line

    def line_of(self, text: str) -> int | None:
        """The line a problem's location or finding names, or None when it names none."""
        if match := _SYNTAX.search(text):
            return int(match.group(1))
        if match := _CONSTRAINT.search(text):
            return _nth(self.constraints, int(match.group(1)) - 1)
        if (match := _CONSTRAINT_NAME.search(text)) and match.group(1) in self.constraint_ids:
            return self.constraint_ids[match.group(1)]
        if match := _FEATURE.search(text):
            feature = int(match.group(1))
            if option := _OPTION.search(text):
                return self.options.get((feature, int(option.group(1))))
            return _nth(self.features, feature)
        if (match := _PICK.search(text)) and (match.group(1), match.group(2)) in self.option_ids:
            return self.option_ids[(match.group(1), match.group(2))]
        return None


def _child(node: yaml.Node, name: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode) and key.value == name:
            return value
    return None


def _scalar(node: yaml.Node, name: str) -> str | None:
    child = _child(node, name)
    return child.value if isinstance(child, yaml.ScalarNode) else None


def _nth(lines: list[int], index: int) -> int | None:
    return lines[index] if 0 <= index < len(lines) else None


def _read_as_json(text: str, lines: LineMap) -> bool:
    """Fill `lines` from a JSON text; False when the text is not JSON (the YAML composer reads it)."""
    if not text.lstrip().startswith("{"):
        return False
    try:
        root = json.loads(text)
    except (ValueError, RecursionError):
        return False
    objects: list[dict] = []
    _objects_in_order(root, objects)
    starts = _object_lines(text)
    if len(starts) != len(objects):  # a key given twice: the reader kept one of its values
        return False
    line_of = {id(value): line for value, line in zip(objects, starts, strict=True)}
    features = root.get("features")
    for index, feature in enumerate(features if isinstance(features, list) else []):
        if not isinstance(feature, dict):
            continue
        lines.add_feature(line_of[id(feature)], feature.get("id"))
        options = feature.get("options")
        for position, option in enumerate(options if isinstance(options, list) else []):
            if isinstance(option, dict):
                lines.add_option(index, position, line_of[id(option)], feature.get("id"), option.get("id"))
    constraints = root.get("constraints")
    for constraint in constraints if isinstance(constraints, list) else []:
        if isinstance(constraint, dict):
            lines.add_constraint(line_of[id(constraint)], constraint.get("id"))
    return True


def _objects_in_order(value: object, found: list[dict]) -> None:
    """Every object (dict) in `value`, in the order their `{` stand in the text."""
    if isinstance(value, dict):
        found.append(value)
        for child in value.values():
            _objects_in_order(child, found)
    elif isinstance(value, list):
        for child in value:
            _objects_in_order(child, found)


def _object_lines(text: str) -> list[int]:
    """The line of each `{` of a JSON text outside its strings, in order; a `{` that ends its line
    counts as the next line, where the object's first key (its "id") stands in a pretty-printed text."""
    bare = _JSON_STRING.sub('""', text)  # a JSON string holds no line break, and may hold a brace
    starts: list[int] = []
    for number, line in enumerate(bare.split("\n"), 1):
        pieces = line.split("{")
        starts.extend([number] * (len(pieces) - 1))
        if len(pieces) > 1 and not pieces[-1].strip():
            starts[-1] = number + 1
    return starts
