"""The rule language parser: precedence, every atom kind, errors a person can act on."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lark.exceptions import UnexpectedInput

from configurator.engine import rules
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
from configurator.engine.rules import MAX_DEPTH, MAX_LENGTH, RuleSyntaxError, parse_expression

A, B, C, D = (FilledAtom(name) for name in "abcd")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("frame == carbon", OptionAtom("frame", ("carbon",))),
        ("frame != carbon", OptionAtom("frame", ("carbon",), negated=True)),
        ("brakes in [rim, disc_hydraulic]", OptionAtom("brakes", ("rim", "disc_hydraulic"))),
        ("brakes in [rim]", OptionAtom("brakes", ("rim",))),
        ("brakes not in [rim,disc]", OptionAtom("brakes", ("rim", "disc"), negated=True)),
        ("gift-wrap", FilledAtom("gift-wrap")),
        ("size == 28", OptionAtom("size", ("28",))),
        ("customer.segment == business", CustomerAtom("segment", ("business",))),
        ("customer.segment != business", CustomerAtom("segment", ("business",), negated=True)),
        ("customer.country in [DE, 'FR', \"New Zealand\"]",
         CustomerAtom("country", ("DE", "FR", "New Zealand"))),
        ("customer.tier not in [gold]", CustomerAtom("tier", ("gold",), negated=True)),
        ("customer.discount == 0.5", CustomerAtom("discount", ("0.5",))),
        ("customer.email == 'a b@c.d'", CustomerAtom("email", ("a b@c.d",))),
        ("sum(weight_g) <= 2000", Compare(NumTerm("sum", "weight_g"), "<=", Decimal(2000))),
        ("sum(lead_days, delivery) > 3",
         Compare(NumTerm("sum", "lead_days", "delivery"), ">", Decimal(3))),
        ("count(extras) >= 2", Compare(NumTerm("count", "extras"), ">=", Decimal(2))),
        ("count(packaging) == 1", Compare(NumTerm("count", "packaging"), "==", Decimal(1))),
        ("count(extras) != 0", Compare(NumTerm("count", "extras"), "!=", Decimal(0))),
        ("price() < 999.95", Compare(NumTerm("price"), "<", Decimal("999.95"))),
        ("price ( ) > -10.5", Compare(NumTerm("price"), ">", Decimal("-10.5"))),
    ],
)
def test_every_atom_kind(text: str, expected: Expr) -> None:
    assert parse_expression(text) == expected


def test_numbers_are_exact_decimals() -> None:
    compare = parse_expression("price() == 0.1")
    assert isinstance(compare, Compare)
    assert compare.value == Decimal("0.1")
    assert isinstance(compare.value, Decimal)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a or b and c", Or((A, And((B, C))))),
        ("a and b or c", Or((And((A, B)), C))),
        ("not a and b", And((Not(A), B))),
        ("not a or b", Or((Not(A), B))),
        ("not (a or b)", Not(Or((A, B)))),
        ("(a or b) and c", And((Or((A, B)), C))),
        ("not not a", Not(Not(A))),
        ("a and not b or not c and d", Or((And((A, Not(B))), And((Not(C), D))))),
    ],
)
def test_precedence_not_and_or(text: str, expected: Expr) -> None:
    assert parse_expression(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a and (b and c) and d", And((A, B, C, D))),
        ("(a or b) or (c or d)", Or((A, B, C, D))),
        ("((a))", A),
        ("a or (b and c) or d", Or((A, And((B, C)), D))),
    ],
)
def test_nested_and_or_are_flattened(text: str, expected: Expr) -> None:
    assert parse_expression(text) == expected


def test_not_in_after_a_feature_is_not_a_negation() -> None:
    assert parse_expression("a not in [x] and not b") == And(
        (OptionAtom("a", ("x",), negated=True), Not(B))
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("android", FilledAtom("android")),
        ("order == x", OptionAtom("order", ("x",))),
        ("notify and index", And((FilledAtom("notify"), FilledAtom("index")))),
        ("count == x", OptionAtom("count", ("x",))),
        ("price", FilledAtom("price")),
        ("a == or", OptionAtom("a", ("or",))),
    ],
)
def test_ids_that_start_like_keywords_are_ids(text: str, expected: Expr) -> None:
    assert parse_expression(text) == expected


@pytest.mark.parametrize(
    ("text", "column", "message"),
    [
        ("frame == ", 9, "column 9: expected an option id after '==', found the end of the rule"),
        ("frame ==  )", 11, "column 11: expected an option id after '==', found ')'"),
        ("frame = carbon", 7, "column 7: expected '==', '!=', 'in', 'not in', 'and', 'or', ')' "
                              "or the end of the rule after 'frame', found '='"),
        ("(a or b", 8, "column 8: expected ')' after 'b'"),
        ("a)", 2, "column 2: expected the end of the rule after 'a', found ')'"),
        ("a and", 6, "column 6: expected a condition"),
        ("a in b", 6, "column 6: expected '[' after 'in', found 'b'"),
        ("a in [b c]", 9, "column 9: expected ',' or ']' after 'b', found 'c'"),
        ("a in [b,]", 9, "column 9: expected an option id after ','"),
        ("a not b", 7, "column 7: expected 'in' after 'not'"),
        ("sum(x)", 7, "column 7: expected a comparison ('<', '<=', '==', '!=', '>=' or '>')"),
        ("sum(x) > y", 10, "column 10: expected a number after '>', found 'y'"),
        ("sum() > 1", 5, "column 5: expected an attribute after '('"),
        ("sum(a,) > 1", 7, "column 7: expected a dimension after ','"),
        ("count() > 1", 7, "column 7: expected a feature or dimension after '('"),
        ("price(x) > 1", 7, "column 7: expected ')' after '('"),
        ("customer.segment", 17, "column 17: expected '==', '!=', 'in' or 'not in'"),
        ("customer.segment == ", 20, "column 20: expected a value after '=='"),
        ("a AND b", 3, "column 3: expected '==', '!=', 'in'"),
        ("frame == carbon and", 20, "column 20: expected a condition (a feature id, 'not', '(', "
                                    "customer.KEY, sum(...), count(...) or price()) after 'and', "
                                    "found the end of the rule"),
        ("\"a\" == b", 1, "column 1: expected a condition"),
        ("__import__('os').system('true')", 11, "column 11: expected"),
        ("frame == é", 10, "column 10: expected an option id after '==', found 'é'"),
    ],
)
def test_syntax_errors_say_what_was_expected_where(text: str, column: int, message: str) -> None:
    with pytest.raises(RuleSyntaxError) as caught:
        parse_expression(text)
    assert caught.value.column == column
    assert str(caught.value).startswith(message)
    assert "Token" not in str(caught.value)  # no lark internals leak to catalog managers


def test_rule_syntax_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        parse_expression("==")


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_empty_rule(text: str) -> None:
    with pytest.raises(RuleSyntaxError, match="column 1: the rule is empty"):
        parse_expression(text)


def test_too_long_rule_is_refused() -> None:
    text = " or ".join(["a"] * (MAX_LENGTH // 5 + 10))
    with pytest.raises(RuleSyntaxError, match="characters long; at most 10000"):
        parse_expression(text)


def test_long_but_flat_rule_is_fine() -> None:
    text = " or ".join(["frame == carbon"] * 500)
    assert len(parse_expression(text).items) == 500


@pytest.mark.parametrize(
    "text",
    [
        "(" * (MAX_DEPTH + 1) + "a" + ")" * (MAX_DEPTH + 1),
        "not " * 2400 + "a",
        "(not " * 1000 + "a" + ")" * 1000,
    ],
)
def test_deep_nesting_is_refused_without_recursion_error(text: str) -> None:
    with pytest.raises(RuleSyntaxError, match=r"nested \d+ levels deep; at most 100"):
        parse_expression(text)


def test_nesting_up_to_the_limit_is_fine() -> None:
    depth = MAX_DEPTH - 1
    assert parse_expression("(" * depth + "a" + ")" * depth) == A


def test_unbalanced_deep_parentheses_give_a_syntax_error() -> None:
    with pytest.raises(RuleSyntaxError, match="expected"):
        parse_expression("(" * 4000)


# A rule printed back from its tree parses to the same tree.
_ids = st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True).filter(
    lambda word: word not in {"and", "or", "not", "in"}
)
_atoms = st.one_of(
    st.builds(lambda f, o: OptionAtom(f, (o,)), _ids, _ids),
    st.builds(lambda f, os: OptionAtom(f, tuple(os), negated=True), _ids,
              st.lists(_ids, min_size=1, max_size=3)),
    st.builds(FilledAtom, _ids),
    st.builds(lambda k, v: CustomerAtom(k, (v,)), _ids, _ids),
    st.builds(lambda a, n: Compare(NumTerm("sum", a), "<=", Decimal(n)), _ids,
              st.integers(-1000, 1000)),
)
_exprs = st.recursive(
    _atoms,
    lambda inner: st.one_of(
        st.builds(Not, inner),
        st.builds(lambda items: And(tuple(items)), st.lists(inner, min_size=2, max_size=3)),
        st.builds(lambda items: Or(tuple(items)), st.lists(inner, min_size=2, max_size=3)),
    ),
    max_leaves=12,
)


def _render(expr: Expr) -> str:
    if isinstance(expr, Or):
        return " or ".join(f"({_render(item)})" for item in expr.items)
    if isinstance(expr, And):
        return " and ".join(f"({_render(item)})" for item in expr.items)
    if isinstance(expr, Not):
        return f"not ({_render(expr.item)})"
    if isinstance(expr, OptionAtom):
        if expr.negated:
            return f"{expr.feature} not in [{', '.join(expr.options)}]"
        return f"{expr.feature} == {expr.options[0]}"
    if isinstance(expr, FilledAtom):
        return expr.feature
    if isinstance(expr, CustomerAtom):
        return f"customer.{expr.key} == '{expr.values[0]}'"
    assert isinstance(expr, Compare)
    return f"sum({expr.term.arg}) {expr.op} {expr.value}"


def _flat(expr: Expr) -> Expr:
    """The tree the parser builds: nested and/or of the same kind merged."""
    if isinstance(expr, (And, Or)):
        items: list[Expr] = []
        for item in map(_flat, expr.items):
            items.extend(item.items if type(item) is type(expr) else (item,))
        return type(expr)(tuple(items))
    if isinstance(expr, Not):
        return Not(_flat(expr.item))
    return expr


@given(_exprs)
def test_printed_rules_parse_back_to_the_same_tree(expr: Expr) -> None:
    assert parse_expression(_render(expr)) == _flat(expr)


# ----------------------------------------------- the grammar-free clause path

_CLAUSE_TOKENS = ["f1", "f-2", "_g", "not", "or", "and", "in", "(", ")", "a==b", "android", "x.y", "notx"]


@given(
    st.lists(st.sampled_from(_CLAUSE_TOKENS), min_size=1, max_size=8),
    st.lists(st.sampled_from([" ", "  ", "\t", "\n"]), min_size=8, max_size=8),
)
def test_plain_clauses_read_as_the_grammar_reads_them(tokens, spaces):
    text = "".join(token + space for token, space in zip(tokens, spaces))
    fast = rules._plain_clause(text)
    try:
        slow = rules._PARSER.parse(text).expr
    except UnexpectedInput:
        assert fast is None
        return
    assert fast is None or fast == slow


def test_a_feature_model_clause_takes_the_fast_path():
    text = "not f2095 or f2096 or f2097"
    assert rules._plain_clause(text) == rules._PARSER.parse(text).expr
    assert rules._plain_clause("f1 and not f2") == rules._PARSER.parse("f1 and not f2").expr
    assert rules._plain_clause("f1 or f2 and f3") is None  # precedence: the grammar decides
