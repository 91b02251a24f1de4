"""Bring existing models into the catalog format: DIMACS CNF, UVL feature models, XCSP 2.1 tables.

Each importer returns the catalog as plain data (the dict a catalog YAML file
holds), or raises `ImportFormatError` with one line that says where the input
is wrong (`FILE:LINE: what`). Nothing here compiles or solves: the result is an
ordinary catalog, checked by the loader like any other.

- DIMACS: variable n becomes feature `f<n>` (`choose: optional`, one option
  `on`), named by its `c <n> <name>` comment when there is one; each clause a
  `require` rule (`f1 or not f7`).
- UVL (the boolean subset: feature tree with mandatory / optional /
  alternative / or / [n..m] groups, constraints with ! & | => <=>): each
  feature becomes an optional yes/no feature, the root required; groups and
  constraints become rules. Attributes are ignored; numeric constraints are
  refused with their line.
- XCSP 2.1 (extension constraints, as the Renault files): variable `V` becomes
  feature `V`, value k option `ok`; a domain holding -1 ("not fitted") makes
  the feature optional with -1 as "nothing chosen"; `supports` relations
  become allow tables, `conflicts` deny tables.
"""

from __future__ import annotations

import re
from itertools import product
from pathlib import Path
from xml.parsers import expat

from configurator.engine.problems import said

FORMATS = ("dimacs", "uvl", "xcsp")
# An [n..m] group becomes a table listing every allowed subset: past this many
# children the table would be too long to be worth writing out.
MAX_CARDINALITY_GROUP = 12


class ImportFormatError(ValueError):
    """Input that is not a valid model of its format; the message names the place."""


def import_model(path: str | Path, fmt: str, text: str | None = None) -> dict:
    """The catalog data for the model at `path` in format `fmt` (`text` read from the file when None)."""
    if fmt not in FORMATS:
        raise ImportFormatError(said("unknown format '%(format)s': use one of %(formats)s",
                                     format=fmt, formats=", ".join(FORMATS)))
    path = Path(path)
    if text is None:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise ImportFormatError(said("%(place)s: cannot read: %(reason)s", place=str(path),
                                         reason=str(error))) from None
    importer = {"dimacs": dimacs_catalog, "uvl": uvl_catalog, "xcsp": xcsp_catalog}[fmt]
    return importer(text, str(path))


def catalog_id(path: str) -> str:
    """A catalog id from a file name: lower case, [a-z0-9_-], starting with a letter or digit."""
    stem = re.sub(r"[^a-z0-9_-]+", "-", Path(path).stem.lower()).strip("-_")
    return stem or "imported"


def _catalog(path: str, features: list[dict], constraints: list[dict]) -> dict:
    identifier = catalog_id(path)
    return {
        "catalog": identifier,
        "name": Path(path).stem,
        "version": 1,
        "currency": "EUR",
        "features": features,
        "constraints": constraints,
    }


def _yes_no(feature_id: str, name: str, choose: str = "optional") -> dict:
    return {
        "id": feature_id,
        "name": name,
        "dimension": "product",
        "choose": choose,
        "options": [{"id": "on", "name": "yes"}],
    }


# ---------------------------------------------------------------- DIMACS


def dimacs_catalog(text: str, path: str = "<dimacs>") -> dict:
    """A catalog from DIMACS CNF text (see the module docstring)."""
    variables, names, clauses = _read_dimacs(text, path)
    features = [_yes_no(f"f{n}", names.get(n, f"f{n}")) for n in range(1, variables + 1)]
    constraints = [
        {"id": f"c{i}", "require": " or ".join(f"f{lit}" if lit > 0 else f"not f{-lit}" for lit in clause)}
        for i, clause in enumerate(clauses, 1)
    ]
    return _catalog(path, features, constraints)


def _read_dimacs(text: str, path: str) -> tuple[int, dict[int, str], list[list[int]]]:
    variables, declared = None, 0
    names: dict[int, str] = {}
    clauses: list[list[int]] = []
    current: list[int] = []
    for number, line in enumerate(text.splitlines(), 1):
        words = line.split()
        if not words or words[0] == "%":
            continue
        if words[0] == "c":
            if len(words) >= 3 and words[1].rstrip("$").isdigit():
                names[int(words[1].rstrip("$"))] = " ".join(words[2:])
            continue
        if words[0] == "p":
            if len(words) != 4 or words[1] != "cnf" or not (words[2].isdigit() and words[3].isdigit()):
                raise ImportFormatError(said("%(place)s: expected 'p cnf VARIABLES CLAUSES', got '%(line)s'",
                                             place=f"{path}:{number}", line=line.strip()))
            if variables is not None:
                raise ImportFormatError(said("%(place)s: a second 'p cnf' line", place=f"{path}:{number}"))
            variables, declared = int(words[2]), int(words[3])
            continue
        if variables is None:
            raise ImportFormatError(said("%(place)s: a clause before the 'p cnf' line", place=f"{path}:{number}"))
        for word in words:
            try:
                lit = int(word)
            except ValueError:
                raise ImportFormatError(said("%(place)s: '%(word)s' is not a literal", place=f"{path}:{number}",
                                             word=word)) from None
            if abs(lit) > variables:
                raise ImportFormatError(said("%(place)s: literal %(literal)s beyond the %(count)s declared variables",
                                             place=f"{path}:{number}", literal=str(lit), count=variables))
            if lit == 0:
                if not current:
                    raise ImportFormatError(said("%(place)s: an empty clause (the model has no configuration)",
                                                 place=f"{path}:{number}"))
                clauses.append(current)
                current = []
            else:
                current.append(lit)
    if variables is None:
        raise ImportFormatError(said("%(place)s: no 'p cnf' line: not a DIMACS CNF file", place=path))
    if current:
        raise ImportFormatError(said("%(place)s: the last clause does not end with 0", place=path))
    if len(clauses) != declared:
        raise ImportFormatError(said("%(place)s: the 'p cnf' line declares %(declared)s clauses, the file has %(count)s",
                                     place=path, declared=declared, count=len(clauses)))
    for n, name in list(names.items()):
        if not 1 <= n <= variables:
            del names[n]
    return variables, names, clauses


# ---------------------------------------------------------------- UVL

_GROUPS = {"mandatory", "optional", "alternative", "or"}
_CARDINALITY = re.compile(r"^(?:cardinality\s*)?\[\s*(\d+)\s*(?:\.\.\s*(\d+|\*)\s*)?\]$")
_UVL_TOKEN = re.compile(r'\s*(<=>|=>|[!&|()]|"[^"]*"|[A-Za-z_][\w.]*)')


def uvl_catalog(text: str, path: str = "<uvl>") -> dict:
    """A catalog from a UVL feature model, boolean subset (see the module docstring)."""
    tree_lines, constraint_lines = _uvl_sections(text, path)
    ids: dict[str, str] = {}
    features: list[dict] = []
    rules: list[dict] = []
    stack: list[tuple[int, str, str]] = []  # (indent, kind: feature|group, name or group kind)
    groups: dict[tuple[str, int], tuple[str, int, int, list[str]]] = {}  # (parent, line) -> group
    root = None
    for number, indent, content in tree_lines:
        while stack and stack[-1][0] >= indent:
            stack.pop()
        if _is_group(content):
            if not stack or stack[-1][1] != "feature":
                raise ImportFormatError(said("%(place)s: a group ('%(group)s') must sit under a feature",
                                             place=f"{path}:{number}", group=content))
            parent = stack[-1][2]
            groups[(parent, number)] = (*_group_kind(content), [])
            stack.append((indent, "group", f"{parent}\n{number}"))
            continue
        name = _feature_name(content, path, number)
        if name in ids:
            raise ImportFormatError(said("%(place)s: feature '%(feature)s' declared twice",
                                         place=f"{path}:{number}", feature=name))
        ids[name] = _unique_id(name, set(ids.values()))
        features.append(_yes_no(ids[name], name, "optional"))
        if not stack:
            if root is not None:
                raise ImportFormatError(said("%(place)s: a second root feature '%(feature)s'",
                                             place=f"{path}:{number}", feature=name))
            root = name
        elif stack[-1][1] != "feature":
            parent, line = stack[-1][2].split("\n")
            groups[(parent, int(line))][3].append(name)
        else:
            raise ImportFormatError(said("%(place)s: feature '%(feature)s' must sit in a group of its parent",
                                         place=f"{path}:{number}", feature=name))
        stack.append((indent, "feature", name))
    if root is None:
        raise ImportFormatError(said("%(place)s: no feature tree under 'features'", place=path))
    rules.append({"id": "root", "require": ids[root]})
    for (parent, _), (kind, low, high, children) in groups.items():
        rules.extend(_group_rules(ids, parent, kind, low, high, children))
    for number, content in constraint_lines:
        rules.append({"id": f"line-{number}", "require": _uvl_constraint(content, ids, path, number)})
    return _catalog(path, features, rules)


def _uvl_sections(text: str, path: str):
    """(feature tree lines as (line, indent, text), constraint lines as (line, text))."""
    section = None
    tree, constraints = [], []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("//")[0].rstrip()
        if not line.strip():
            continue
        indent = len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip())
        word = line.strip()
        if indent == 0:
            head = word.split()[0]
            if head in ("namespace", "imports", "include"):
                section = head
                continue
            if head in ("features", "constraints"):
                section = head
                continue
            raise ImportFormatError(said("%(place)s: unexpected '%(word)s' at top level",
                                         place=f"{path}:{number}", word=word))
        if section == "features":
            tree.append((number, indent, word))
        elif section == "constraints":
            constraints.append((number, word))
        elif section is None:
            raise ImportFormatError(said("%(place)s: '%(word)s' outside a 'features' or 'constraints' section",
                                         place=f"{path}:{number}", word=word))
    return tree, constraints


def _is_group(content: str) -> bool:
    return content in _GROUPS or bool(_CARDINALITY.match(content))


def _group_kind(content: str) -> tuple[str, int, int]:
    if content in _GROUPS:
        return content, 0, 0
    low, high = _CARDINALITY.match(content).groups()
    top = -1 if high == "*" else int(high if high is not None else low)
    return "cardinality", int(low), top


def _feature_name(content: str, path: str, number: int) -> str:
    """The name of a feature line, with its type, cardinality and attributes left out."""
    words = content.split("{")[0].strip()
    for prefix in ("Boolean ", "Integer ", "Real ", "String "):
        if words.startswith(prefix):
            if prefix != "Boolean ":
                raise ImportFormatError(said("%(place)s: %(kind)s features are not boolean: not supported",
                                             place=f"{path}:{number}", kind=prefix.strip()))
            words = words[len(prefix):].strip()
    words = re.sub(r"\s+cardinality\s*\[.*\]$", "", words)
    if words.startswith('"') and words.endswith('"') and len(words) > 1:
        return words[1:-1]
    if not re.fullmatch(r"[A-Za-z_][\w.]*", words):
        raise ImportFormatError(said("%(place)s: '%(text)s' is not a feature name",
                                     place=f"{path}:{number}", text=content))
    return words


_RULE_WORDS = {"and", "or", "not", "in", "true", "false", "customer"}


def _unique_id(name: str, taken: set[str]) -> str:
    """A readable feature id from a UVL name: lower case, [a-z0-9_-], unique, never a rule keyword."""
    base = re.sub(r"[^a-z0-9_-]+", "_", name.lower()).strip("_-") or "feature"
    if base in _RULE_WORDS or not base[0].isalnum():
        base = f"f_{base}"
    candidate, suffix = base, 2
    while candidate in taken:
        candidate, suffix = f"{base}_{suffix}", suffix + 1
    return candidate


def _group_rules(ids, parent, kind, low, high, children) -> list[dict]:
    """The rules of one group: every child needs its parent, plus the group's own count."""
    p = ids[parent]
    names = [ids[c] for c in children]
    rules = [{"if": child, "then": p} for child in names]
    if not names:
        return rules
    if kind == "mandatory":
        rules += [{"if": p, "then": child} for child in names]
    elif kind in ("alternative", "or"):
        rules.append({"if": p, "then": " or ".join(names)})
        if kind == "alternative":
            rules += [{"forbid": f"{a} and {b}"} for i, a in enumerate(names) for b in names[i + 1:]]
    elif kind == "cardinality":
        high = len(names) if high < 0 else min(high, len(names))
        if len(names) > MAX_CARDINALITY_GROUP:
            raise ImportFormatError(said(
                "group [%(low)s..%(high)s] under '%(parent)s' has %(count)s features; "
                "at most %(most)s are supported", low=str(low), high=str(high), parent=parent,
                count=len(names), most=MAX_CARDINALITY_GROUP))
        rows = [[None] * (len(names) + 1)]  # the parent left out, and so its children
        rows += [
            ["on"] + ["on" if bit else None for bit in bits]
            for bits in product((0, 1), repeat=len(names))
            if low <= sum(bits) <= high
        ]
        rules.append({"table": {"features": [p, *names], "allow": rows}})
    return rules


def _uvl_constraint(content: str, ids: dict[str, str], path: str, number: int) -> str:
    """A UVL constraint as a catalog expression (=> and <=> spelled out with and/or/not)."""
    tokens, position = [], 0
    while position < len(content):
        match = _UVL_TOKEN.match(content, position)
        if not match:
            raise ImportFormatError(said("%(place)s: cannot read '%(text)s' (only boolean constraints "
                                         "with ! & | => <=> are supported)", place=f"{path}:{number}",
                                         text=content[position:].strip()))
        tokens.append(match.group(1))
        position = match.end()
        while position < len(content) and content[position].isspace():
            position += 1
    parser = _UvlExpression(tokens, ids, path, number)
    expression = parser.equivalence()
    if parser.position != len(tokens):
        raise ImportFormatError(said("%(place)s: unexpected '%(word)s'", place=f"{path}:{number}",
                                     word=tokens[parser.position]))
    return expression


class _UvlExpression:
    """Recursive descent: <=> binds loosest, then =>, |, &, !."""

    def __init__(self, tokens: list[str], ids: dict[str, str], path: str, number: int):
        self.tokens, self.ids, self.where = tokens, ids, f"{path}:{number}"
        self.position = 0

    def _peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _take(self) -> str:
        token = self._peek()
        if token is None:
            raise ImportFormatError(said("%(place)s: the constraint ends too early", place=self.where))
        self.position += 1
        return token

    def equivalence(self) -> str:
        left = self.implication()
        while self._peek() == "<=>":
            self._take()
            right = self.implication()
            left = f"(({left}) and ({right})) or (not ({left}) and not ({right}))"
        return left

    def implication(self) -> str:
        left = self.disjunction()
        if self._peek() == "=>":
            self._take()
            right = self.implication()
            left = f"not ({left}) or ({right})"
        return left

    def disjunction(self) -> str:
        items = [self.conjunction()]
        while self._peek() == "|":
            self._take()
            items.append(self.conjunction())
        return items[0] if len(items) == 1 else " or ".join(f"({item})" for item in items)

    def conjunction(self) -> str:
        items = [self.negation()]
        while self._peek() == "&":
            self._take()
            items.append(self.negation())
        return items[0] if len(items) == 1 else " and ".join(f"({item})" for item in items)

    def negation(self) -> str:
        token = self._take()
        if token == "!":
            return f"not ({self.negation()})"
        if token == "(":
            inner = self.equivalence()
            if self._peek() != ")":
                raise ImportFormatError(said("%(place)s: a '(' is not closed", place=self.where))
            self._take()
            return inner
        name = token[1:-1] if token.startswith('"') else token
        if name not in self.ids:
            raise ImportFormatError(said("%(place)s: unknown feature '%(feature)s'", place=self.where,
                                         feature=name))
        return self.ids[name]


# ---------------------------------------------------------------- XCSP 2.1


class _Node:
    """An XML element with the line of its start tag (for located errors)."""

    def __init__(self, tag: str, attributes: dict[str, str], line: int):
        self.tag, self.attributes, self.line = tag, attributes, line
        self.text = ""
        self.children: list[_Node] = []

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attributes.get(name, default)

    def iter(self, tag: str):
        """Every element of that tag at or below this one, in document order."""
        if self.tag == tag:
            yield self
        for child in self.children:
            yield from child.iter(tag)


def _read_xml(text: str, path: str) -> _Node:
    parser = expat.ParserCreate()
    stack: list[_Node] = []
    roots: list[_Node] = []

    def start(tag, attributes):
        node = _Node(tag, attributes, parser.CurrentLineNumber)
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)

    def end(_tag):
        stack.pop()

    def characters(data):
        if stack:
            stack[-1].text += data

    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.CharacterDataHandler = characters
    try:
        parser.Parse(text, True)
    except expat.ExpatError as error:
        raise ImportFormatError(said("%(place)s: not well-formed XML: %(detail)s", place=f"{path}:{error.lineno}",
                                     detail=expat.ErrorString(error.code))) from None
    return roots[0]


def xcsp_catalog(text: str, path: str = "<xcsp>") -> dict:
    """A catalog from an XCSP 2.1 instance with extension constraints (see the module docstring)."""
    root = _read_xml(text, path)
    domains = {d.get("name"): _xcsp_values(d, path) for d in root.iter("domain")}
    values_of: dict[str, list[int]] = {}
    features = []
    for variable in root.iter("variable"):
        name, domain = _required(variable, "name", path), _required(variable, "domain", path)
        if domain not in domains:
            raise ImportFormatError(said("%(place)s: variable '%(variable)s': unknown domain '%(domain)s'",
                                         place=f"{path}:{variable.line}", variable=name, domain=domain))
        values = domains[domain]
        values_of[name] = values
        fitted = [v for v in values if v != -1]
        features.append({
            "id": _xcsp_id(name),
            "name": name,
            "dimension": "product",
            "choose": "optional" if -1 in values else "one",
            "options": [{"id": f"o{v}".replace("-", "m"), "name": str(v)} for v in fitted],
        })
    relations = {r.get("name"): r for r in root.iter("relation")}
    constraints = [_xcsp_table(c, relations, values_of, path) for c in root.iter("constraint")]
    if not features:
        raise ImportFormatError(said("%(place)s: no <variable> elements: not an XCSP 2.1 instance", place=path))
    return _catalog(path, features, constraints)


def _required(element, attribute: str, path: str) -> str:
    value = element.get(attribute)
    if value is None:
        raise ImportFormatError(said("%(place)s: <%(tag)s> without '%(attribute)s'",
                                     place=f"{path}:{element.line}", tag=element.tag, attribute=attribute))
    return value


def _xcsp_id(name: str) -> str:
    identifier = re.sub(r"[^a-z0-9_-]+", "_", name.lower()).strip("_")
    return identifier if identifier and identifier[0].isalnum() else f"v{identifier}"


def _xcsp_values(domain, path: str) -> list[int]:
    """The values of a <domain>: integers and ranges a..b."""
    values: list[int] = []
    for word in (domain.text or "").split():
        try:
            if ".." in word:
                low, high = word.split("..")
                values.extend(range(int(low), int(high) + 1))
            else:
                values.append(int(word))
        except ValueError:
            raise ImportFormatError(said("%(place)s: domain value '%(word)s' is not an integer",
                                         place=f"{path}:{domain.line}", word=word)) from None
    return values


def _xcsp_table(constraint, relations, values_of, path: str) -> dict:
    name = constraint.get("name") or said("line %(line)s", line=constraint.line)
    where = said("%(place)s: constraint '%(constraint)s'", place=f"{path}:{constraint.line}",
                 constraint=name)
    scope = _required(constraint, "scope", path).split()
    reference = _required(constraint, "reference", path)
    if reference not in relations:
        raise ImportFormatError(said("%(place)s: unknown relation '%(relation)s' (only extension tables "
                                     "are supported)", place=where, relation=reference))
    relation = relations[reference]
    semantics = relation.get("semantics", "supports")
    if semantics not in ("supports", "conflicts"):
        raise ImportFormatError(said("%(place)s: relation '%(relation)s': semantics '%(semantics)s'",
                                     place=f"{path}:{relation.line}", relation=reference,
                                     semantics=semantics))
    for variable in scope:
        if variable not in values_of:
            raise ImportFormatError(said("%(place)s: unknown variable '%(variable)s'", place=where,
                                         variable=variable))
    rows = []
    for tuple_text in (relation.text or "").split("|"):
        if not tuple_text.strip():
            continue
        try:
            row = [int(word) for word in tuple_text.split()]
        except ValueError:
            raise ImportFormatError(said("%(place)s: relation '%(relation)s': '%(tuple)s' is not a tuple "
                                         "of integers", place=f"{path}:{relation.line}",
                                         relation=reference, tuple=tuple_text.strip())) from None
        if len(row) != len(scope):
            raise ImportFormatError(said("%(place)s: relation '%(relation)s': tuple '%(tuple)s' has "
                                         "%(count)s values for a scope of %(size)s",
                                         place=f"{path}:{relation.line}", relation=reference,
                                         tuple=tuple_text.strip(), count=len(row), size=len(scope)))
        for variable, value in zip(scope, row):
            if value not in values_of[variable]:
                break  # a tuple outside the domains allows (or forbids) nothing
        else:
            rows.append([None if v == -1 else f"o{v}".replace("-", "m") for v in row])
    table = {"features": [_xcsp_id(v) for v in scope], "deny" if semantics == "conflicts" else "allow": rows}
    return {"id": _xcsp_id(name), "table": table}
