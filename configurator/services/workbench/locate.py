"""Where in a catalog's YAML text a problem is: the line of the feature,
option or constraint a problem's location names, so the editor can show each
problem at its place."""

from __future__ import annotations

import re

import yaml

_SYNTAX = re.compile(r"line (\d+)")
_FEATURE = re.compile(r"features\[(\d+)\]")
_OPTION = re.compile(r"options\[(\d+)\]")
_CONSTRAINT = re.compile(r"constraint (?:'[^']*' )?\(?#(\d+)\)?")
_CONSTRAINT_NAME = re.compile(r"constraint '?([a-z0-9][a-z0-9_-]*)'?:")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: the line map of a big catalog in a blink
_PICK = re.compile(r"\b([a-z0-9][a-z0-9_-]*)=([a-z0-9][a-z0-9_-]*)\b")


class LineMap:
    """The line (1-based) of each feature, option and constraint of a text."""

    def __init__(self, text: str) -> None:
        self.features: list[int] = []
        self.options: dict[tuple[int, int], int] = {}
        self.constraints: list[int] = []
        self.feature_ids: dict[str, int] = {}
        self.option_ids: dict[tuple[str, str], int] = {}
        self.constraint_ids: dict[str, int] = {}
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
                    line = constraint.start_mark.line + 1
                    self.constraints.append(line)
                    identifier = _scalar(constraint, "id")
                    if identifier:
                        self.constraint_ids[identifier] = line

    def _feature(self, index: int, node: yaml.Node) -> None:
        self.features.append(node.start_mark.line + 1)
        feature_id = _scalar(node, "id")
        if feature_id:
            self.feature_ids[feature_id] = node.start_mark.line + 1
        options = _child(node, "options")
        if not isinstance(options, yaml.SequenceNode):
            return
        for position, option in enumerate(options.value):
            line = option.start_mark.line + 1
            self.options[(index, position)] = line
            option_id = _scalar(option, "id")
            if feature_id and option_id:
                self.option_ids[(feature_id, option_id)] = line

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
