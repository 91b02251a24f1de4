"""A rule of the catalog's rule language as the form editor shows it while it
is typed: each token with its kind (feature, option, keyword, ...) for the
highlighting, and the first problem at its place: a syntax error at the
parser's column, or a feature, option or dimension the catalog does not have.

Pure: the ids come from the draft's text, nothing is stored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from configurator.engine.model import DIMENSIONS
from configurator.engine.problems import Said, said
from configurator.engine.rules import RuleSyntaxError, parse_expression
from configurator.services.catalogs import engine_text

_TOKEN = re.compile(
    r"(?P<space>\s+)"
    r"|(?P<customer>customer\.[A-Za-z0-9_][A-Za-z0-9_-]*)"
    r"|(?P<string>\"[^\"\n]*\"?|'[^'\n]*'?)"
    r"|(?P<number>-?[0-9]+(?:\.[0-9]+)?(?![A-Za-z_-]))"
    r"|(?P<operator>==|!=|<=|>=|<|>)"
    r"|(?P<punct>[()\[\],])"
    r"|(?P<word>[A-Za-z0-9_][A-Za-z0-9_.@+-]*)"
    r"|(?P<other>\S)"
)
KEYWORDS = {"and", "or", "not", "in"}
FUNCTIONS = {"sum", "count", "price"}


@dataclass
class RuleToken:
    """A piece of the rule's text; `kind` names its colour, `problem` marks the faulty one."""

    text: str
    kind: str
    start: int  # 0-based offset in the rule
    problem: bool = False


@dataclass
class RuleText:
    """A rule as typed: its tokens and its first problem (with the 1-based column), if any."""

    text: str
    tokens: list[RuleToken] = field(default_factory=list)
    problem: str = ""
    column: int | None = None
    at_end: bool = False  # the problem is at the end of the rule (something is missing)

    @property
    def ok(self) -> bool:
        """The rule parses and names only ids the catalog has."""
        return not self.problem


def read_rule(text: str, options: Mapping[str, Sequence[str]]) -> RuleText:
    """Tokens and first problem of one rule; `options` maps each feature id to its option ids."""
    rule = RuleText(text, _tokens(text))
    try:
        parse_expression(text)
    except RuleSyntaxError as error:
        list(_unknown_ids(rule.tokens, options))  # only to colour the tokens
        _mark(rule, error.message, error.column)
        return rule
    unknown = list(_unknown_ids(rule.tokens, options))  # all of it: it also gives every token its kind
    if unknown:
        token, message = unknown[0]
        _mark(rule, message, token.start + 1)
    return rule


def _tokens(text: str) -> list[RuleToken]:
    tokens = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind == "space":
            tokens.append(RuleToken(match.group(), "space", match.start()))
            continue
        value = match.group()
        if kind == "word" and value in KEYWORDS:
            kind = "keyword"
        tokens.append(RuleToken(value, kind, match.start()))
    words = [token for token in tokens if token.kind != "space"]
    for index, token in enumerate(words):
        following = words[index + 1].text if index + 1 < len(words) else ""
        if token.kind == "word" and token.text in FUNCTIONS and following == "(":
            token.kind = "function"
    return tokens


def _unknown_ids(tokens: list[RuleToken], options: Mapping[str, Sequence[str]]):
    """Each token naming a feature, option or dimension the catalog lacks, with the message."""
    words = [token for token in tokens if token.kind != "space"]
    index = 0
    while index < len(words):
        token = words[index]
        ahead = [t.text for t in words[index + 1:index + 3]]
        if token.kind == "function":
            index = yield from _function(words, index, options)
            continue
        if token.kind == "customer":
            index += 1
            while index < len(words) and words[index].kind in ("operator", "keyword", "punct", "word", "string"):
                if words[index].text in ("and", "or", ")"):
                    break
                if words[index].kind in ("word", "string"):
                    words[index].kind = "value"
                index += 1
            continue
        if token.kind != "word":
            index += 1
            continue
        token.kind = "feature"
        if token.text not in options:
            yield token, said("unknown feature '%(feature)s'", feature=token.text)
        known = options.get(token.text)
        index += 1
        if ahead[:1] in (["=="], ["!="]):
            index += 1
            if index < len(words) and words[index].kind == "word":
                yield from _option(words[index], token.text, known)
                index += 1
        elif ahead[:1] == ["in"] or ahead == ["not", "in"]:
            index += len(ahead) if ahead[:1] == ["not"] else 1
            while index < len(words) and words[index].text != "]":
                if words[index].kind == "word":
                    yield from _option(words[index], token.text, known)
                index += 1
            index += 1


def _option(token: RuleToken, feature: str, known: Sequence[str] | None):
    token.kind = "option"
    if known is not None and token.text not in known:
        yield token, said("feature '%(feature)s' has no option '%(option)s'", feature=feature,
                           option=token.text)


def _function(words: list[RuleToken], index: int, options: Mapping[str, Sequence[str]]):
    """sum(attribute[, dimension]), count(feature or dimension), price(): check the names."""
    name = words[index].text
    arguments = []
    index += 2  # the name and '('
    while index < len(words) and words[index].text != ")":
        if words[index].kind == "word":
            arguments.append(words[index])
        index += 1
    if name == "sum":
        for position, token in enumerate(arguments):
            token.kind = "attribute" if position == 0 else "dimension"
            if position == 1 and token.text not in DIMENSIONS:
                yield token, said("unknown dimension '%(dimension)s' (one of %(dimensions)s)",
                                   dimension=token.text, dimensions=", ".join(DIMENSIONS))
    elif name == "count":
        for token in arguments:
            token.kind = "dimension" if token.text in DIMENSIONS else "feature"
            if token.text not in DIMENSIONS and token.text not in options:
                yield token, said("unknown feature or dimension '%(name)s'", name=token.text)
    return index + 1


def _mark(rule: RuleText, message: str, column: int) -> None:
    """Keep the problem and mark the token at `column` (1-based); past the end, the end."""
    if not message.startswith("column"):
        message = said("column %(column)s: %(problem)s", column=column, problem=message)
    # A phrase (its English as before), so the page writes it in the reader's language.
    rule.problem = engine_text(message) if isinstance(message, Said) else message
    rule.column = column
    offset = column - 1
    for token in rule.tokens:
        if token.kind != "space" and token.start <= offset < token.start + len(token.text):
            token.problem = True
            return
    rule.at_end = True
