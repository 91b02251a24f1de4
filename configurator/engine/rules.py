"""The rule language of catalog constraints (spec section 2), parsed with lark.

`parse_expression("frame == carbon and not brakes in [rim]")` returns the
abstract syntax tree of `model.py`. Nothing is ever evaluated with `eval`:
the grammar below is the whole language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from configurator.engine.model import (
    And,
    Compare,
    CustomerAtom,
    Expr,
    FilledAtom,
    Not,
    NumTerm,
    OptionAtom,
    Or,
)
from configurator.engine.problems import said

MAX_LENGTH = 10_000
MAX_DEPTH = 100

# Keywords are regexes with a word-boundary look-ahead so that `android` is a
# feature id and not `and` followed by `roid`. `sum`, `count` and `price` are
# keywords only in front of `(`, so a feature may still be called `count`.
_GRAMMAR = r"""
?start: or_expr

?or_expr: and_expr (_OR and_expr)*
?and_expr: not_expr (_AND not_expr)*
?not_expr: _NOT not_expr -> negation
         | atom

?atom: _LPAR or_expr _RPAR -> parens
     | WORD EQ WORD -> option_compare
     | WORD NE WORD -> option_compare
     | WORD _IN option_list -> option_in
     | WORD _NOT _IN option_list -> option_not_in
     | WORD -> filled
     | CUSTOMER_KEY EQ value -> customer_compare
     | CUSTOMER_KEY NE value -> customer_compare
     | CUSTOMER_KEY _IN value_list -> customer_in
     | CUSTOMER_KEY _NOT _IN value_list -> customer_not_in
     | num_term cmp NUMBER -> compare

option_list: _LSQB WORD (_COMMA WORD)* _RSQB
value_list: _LSQB value (_COMMA value)* _RSQB
value: VALUE | STRING

num_term: SUM _LPAR WORD _RPAR -> sum_all
        | SUM _LPAR WORD _COMMA WORD _RPAR -> sum_dimension
        | COUNT _LPAR WORD _RPAR -> count
        | PRICE _LPAR _RPAR -> price

cmp: LT | LE | EQ | NE | GE | GT

_OR.2: /or(?![A-Za-z0-9_-])/
_AND.2: /and(?![A-Za-z0-9_-])/
_NOT.2: /not(?![A-Za-z0-9_-])/
_IN.2: /in(?![A-Za-z0-9_-])/
SUM.2: /sum(?=\s*\()/
COUNT.2: /count(?=\s*\()/
PRICE.2: /price(?=\s*\()/
CUSTOMER_KEY.3: /customer\.[A-Za-z0-9_][A-Za-z0-9_-]*/

WORD: /[A-Za-z0-9_][A-Za-z0-9_-]*/
VALUE: /[A-Za-z0-9_][A-Za-z0-9_.@+-]*/
STRING: /"[^"\n]*"/ | /'[^'\n]*'/
NUMBER: /-?[0-9]+(\.[0-9]+)?/

EQ: "=="
NE: "!="
LE: "<="
GE: ">="
LT: "<"
GT: ">"
_LPAR: "("
_RPAR: ")"
_LSQB: "["
_RSQB: "]"
_COMMA: ","

%ignore /\s+/
"""


class RuleSyntaxError(ValueError):
    """A rule that does not follow the grammar; `column` is 1-based."""

    def __init__(self, message: str, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.column = column


@dataclass(frozen=True)
class _Node:
    """An expression while it is being built, with the depth of its tree."""

    expr: Expr
    depth: int


def _flatten(kind: type, items: list[_Node]) -> _Node:
    """`a and (b and c)` becomes one And of three: callers see flat trees."""
    flat: list[Expr] = []
    for item in items:
        if isinstance(item.expr, kind):
            flat.extend(item.expr.items)
        else:
            flat.append(item.expr)
    return _Node(kind(tuple(flat)), 1 + max(item.depth for item in items))


class _ToModel(Transformer):
    """Builds model.py expressions bottom-up while lark reduces (no recursion)."""

    def or_expr(self, items: list[_Node]) -> _Node:
        return _flatten(Or, items)

    def and_expr(self, items: list[_Node]) -> _Node:
        return _flatten(And, items)

    def negation(self, items: list[_Node]) -> _Node:
        (item,) = items
        return _Node(Not(item.expr), item.depth + 1)

    def parens(self, items: list[_Node]) -> _Node:
        (item,) = items
        # Parentheses leave the tree unchanged but still count as nesting, so
        # that `((((...))))` cannot grow without bound.
        return _Node(item.expr, item.depth + 1)

    def option_compare(self, items: list[Token]) -> _Node:
        feature, op, option = items
        return _Node(OptionAtom(str(feature), (str(option),), negated=op == "!="), 1)

    def option_in(self, items: list[Any]) -> _Node:
        feature, options = items
        return _Node(OptionAtom(str(feature), options), 1)

    def option_not_in(self, items: list[Any]) -> _Node:
        feature, options = items
        return _Node(OptionAtom(str(feature), options, negated=True), 1)

    def filled(self, items: list[Token]) -> _Node:
        return _Node(FilledAtom(str(items[0])), 1)

    def customer_compare(self, items: list[Any]) -> _Node:
        key, op, value = items
        return _Node(CustomerAtom(_customer_key(key), (value,), negated=op == "!="), 1)

    def customer_in(self, items: list[Any]) -> _Node:
        key, values = items
        return _Node(CustomerAtom(_customer_key(key), values), 1)

    def customer_not_in(self, items: list[Any]) -> _Node:
        key, values = items
        return _Node(CustomerAtom(_customer_key(key), values, negated=True), 1)

    def compare(self, items: list[Any]) -> _Node:
        term, op, number = items
        return _Node(Compare(term, op, _decimal(number)), 1)

    def option_list(self, items: list[Token]) -> tuple[str, ...]:
        return tuple(str(item) for item in items)

    def value_list(self, items: list[str]) -> tuple[str, ...]:
        return tuple(items)

    def value(self, items: list[Token]) -> str:
        (token,) = items
        text = str(token)
        return text[1:-1] if token.type == "STRING" else text

    def sum_all(self, items: list[Token]) -> NumTerm:
        return NumTerm("sum", str(items[1]))

    def sum_dimension(self, items: list[Token]) -> NumTerm:
        return NumTerm("sum", str(items[1]), str(items[2]))

    def count(self, items: list[Token]) -> NumTerm:
        return NumTerm("count", str(items[1]))

    def price(self, items: list[Token]) -> NumTerm:
        return NumTerm("price")

    def cmp(self, items: list[Token]) -> str:
        return str(items[0])


def _customer_key(token: Token) -> str:
    return str(token)[len("customer.") :]


def _decimal(token: Token) -> Decimal:
    try:
        return Decimal(str(token))
    except InvalidOperation as error:  # the NUMBER regex should make this unreachable
        message = f"column {token.column}: bad number {token!s}"
        raise RuleSyntaxError(message, token.column or 1) from error


_PARSER = Lark(
    _GRAMMAR,
    parser="lalr",
    lexer="contextual",
    transformer=_ToModel(),
    propagate_positions=False,
    maybe_placeholders=False,
    cache=True,  # the LALR tables, in the temp directory: every process after the first starts faster
)


def parse_expression(text: str) -> Expr:
    """Parse one rule of the expression language into a model.py expression.

    Raises RuleSyntaxError (a ValueError) with a message a catalog manager can
    act on, such as `column 12: expected an option id after '=='`.
    """
    if not isinstance(text, str):
        raise RuleSyntaxError(said("a rule must be text"), 1)
    if len(text) > MAX_LENGTH:
        raise RuleSyntaxError(said(
            "column %(column)s: the rule is %(length)s characters long; at most %(limit)s are allowed",
            column=1, length=len(text), limit=MAX_LENGTH), 1)
    if not text.strip():
        raise RuleSyntaxError(said("column %(column)s: the rule is empty", column=1), 1)
    clause = _plain_clause(text)
    if clause is not None:
        return clause
    try:
        node: _Node = _PARSER.parse(text)
    except UnexpectedInput as error:
        raise _syntax_error(text, error) from None
    if node.depth > MAX_DEPTH:
        raise RuleSyntaxError(said(
            "column %(column)s: the rule is nested %(depth)s levels deep; at most %(limit)s are allowed",
            column=1, depth=node.depth, limit=MAX_DEPTH), 1)
    return node.expr


# A feature model's clauses ("not f1 or f2 or f3", 10,300 of them in
# automotive01) are most of a big catalog's rules; lark spends ~40 us per token
# on them, which made loading such a catalog take seconds. They are read here
# directly into the same tree the grammar builds (a test checks the two agree);
# anything else, and any doubt, goes to the grammar.
_KEYWORDS = frozenset({"and", "or", "not", "in"})
_WORD = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*\Z")


def _plain_literal(tokens: list[str]) -> Expr | None:
    if len(tokens) == 2 and tokens[0] == "not":
        inner = _plain_literal(tokens[1:])
        return None if inner is None else Not(inner)
    if len(tokens) == 1 and tokens[0] not in _KEYWORDS and _WORD.match(tokens[0]):
        return FilledAtom(tokens[0])
    return None


def _plain_clause(text: str) -> Expr | None:
    """`[not] a or [not] b ...` (or the same with `and`) without the grammar; None otherwise."""
    tokens = text.split()
    joiners = {token for token in tokens if token in ("and", "or")}
    if len(joiners) > 1:
        return None
    joiner = joiners.pop() if joiners else None
    literals: list[Expr] = []
    current: list[str] = []
    for token in [*tokens, None]:
        if token is not None and token != joiner:
            current.append(token)
            continue
        literal = _plain_literal(current)
        if literal is None:
            return None
        literals.append(literal)
        current = []
    if len(literals) == 1:
        return literals[0]
    return (Or if joiner == "or" else And)(tuple(literals))


# ------------------------------------------------------------- error messages

_ATOM_START = said(
    "a condition (a feature id, 'not', '(', customer.KEY, sum(...), count(...) or price())"
)

_PHRASES = {
    "EQ": "'=='",
    "NE": "'!='",
    "_IN": "'in'",
    "_NOT": "'not'",
    "_AND": "'and'",
    "_OR": "'or'",
    "_LPAR": "'('",
    "_RPAR": "')'",
    "_LSQB": "'['",
    "_RSQB": "']'",
    "_COMMA": "','",
    "NUMBER": said("a number"),
    "VALUE": said("a value"),
    "STRING": said("a value"),
    "LT": said("a comparison ('<', '<=', '==', '!=', '>=' or '>')"),
    "LE": said("a comparison ('<', '<=', '==', '!=', '>=' or '>')"),
    "GE": said("a comparison ('<', '<=', '==', '!=', '>=' or '>')"),
    "GT": said("a comparison ('<', '<=', '==', '!=', '>=' or '>')"),
    "$END": said("the end of the rule"),
}

# Rough tokens, only to name what stands before and at the error position.
_ROUGH_TOKEN = re.compile(r"==|!=|<=|>=|[<>()\[\],]|\"[^\"]*\"?|'[^']*'?|[^\s()\[\],=!<>\"']+|\S")


def _syntax_error(text: str, error: UnexpectedInput) -> RuleSyntaxError:
    """Turn a lark error into `column N: expected X after 'Y', found 'Z'`."""
    position = error.pos_in_stream if error.pos_in_stream is not None else len(text)
    if isinstance(error, UnexpectedToken) and error.token.type == "$END":
        position = len(text.rstrip())
    before = _ROUGH_TOKEN.findall(text[:position])
    column = position + 1
    wanted = _describe_expected(_expected_terminals(error), before)
    found = _found(text, position)
    if before:
        message = said("column %(column)s: expected %(wanted)s after '%(token)s', found %(found)s",
                       column=column, wanted=wanted, token=before[-1], found=found)
    else:
        message = said("column %(column)s: expected %(wanted)s at the start of the rule, "
                       "found %(found)s", column=column, wanted=wanted, found=found)
    return RuleSyntaxError(message, column)


def _expected_terminals(error: UnexpectedInput) -> set[str]:
    if isinstance(error, UnexpectedToken):
        return set(error.expected)
    if isinstance(error, UnexpectedCharacters):
        return set(error.allowed or ())
    return set()


def _found(text: str, position: int) -> str:
    match = _ROUGH_TOKEN.search(text, position)
    if match is None:
        return said("the end of the rule")
    found = match.group(0)
    if len(found) > 30:
        found = found[:27] + "..."
    return f"'{found}'"


def _describe_expected(expected: set[str], before: list[str]) -> str:
    """Name what the grammar wanted, in catalog words rather than terminal names."""
    if "CUSTOMER_KEY" in expected or "SUM" in expected:
        return _ATOM_START
    if "_OR" in expected:
        # States that accept `or` also accept the end of the rule (or a `)`);
        # the lexer-level error does not list the end, so add it here.
        expected = expected | {"$END"}
    if "LT" in expected:
        # After sum(...), count(...) or price() `==` and `!=` are comparisons too.
        expected = expected - {"EQ", "NE"}
    phrases: list[str] = []
    for name in sorted(expected, key=_phrase_order):
        if name == "WORD":
            phrase = _word_phrase(before)
        elif name == "_NOT" and "_IN" in expected:
            phrase = "'not in'"
        else:
            phrase = _PHRASES.get(name, name.lower())
        if phrase not in phrases:
            phrases.append(phrase)
    if not phrases:
        return said("something else")
    if len(phrases) == 1:
        return phrases[0]
    # Chained so that each language joins the alternatives its own way ("or", "یا", "hoặc").
    listed = phrases[0]
    for phrase in phrases[1:-1]:
        listed = said("%(listed)s, %(next)s", listed=listed, next=phrase)
    return said("%(listed)s or %(last)s", listed=listed, last=phrases[-1])


def _word_phrase(before: list[str]) -> str:
    """WORD is an option, an attribute, a feature or a dimension, by context."""
    last = before[-1] if before else ""
    if last == "(" and len(before) >= 2 and before[-2] == "sum":
        return said("an attribute")
    if last == "(" and len(before) >= 2 and before[-2] == "count":
        return said("a feature or dimension")
    if last == "," and len(before) >= 4 and before[-4] == "sum" and before[-3] == "(":
        return said("a dimension")
    return said("an option id")


_ORDER = ["WORD", "NUMBER", "VALUE", "STRING", "EQ", "NE", "_IN", "_NOT", "LT", "_LSQB", "_COMMA",
          "_RSQB", "_AND", "_OR", "_RPAR", "$END"]


def _phrase_order(name: str) -> tuple[int, str]:
    return (_ORDER.index(name) if name in _ORDER else len(_ORDER), name)
