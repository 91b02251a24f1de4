"""Loading catalogs: the model built from a good file, every problem of a bad one."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from configurator.engine.loader import CatalogError, Problem, load_model, parse_model
from configurator.engine.model import CatalogModel, FilledAtom, OptionAtom

DATA = Path(__file__).parent / "data"
BENCHMARKS = Path(__file__).parents[2] / ".." / "shared" / "benchmarks"


def gen_catalog(**changes: Any) -> dict[str, Any]:
    """A small valid catalog as plain data; keyword arguments replace top-level keys."""
    catalog: dict[str, Any] = {
        "catalog": "desk",
        "name": "Desk",
        "version": 1,
        "currency": "EUR",
        "features": [
            {"id": "top", "name": "Top", "dimension": "product", "choose": "one",
             "options": [{"id": "oak", "name": "Oak", "price": 200,
                          "attributes": {"weight_kg": 20, "finish": "oiled"}},
                         {"id": "pine", "name": "Pine", "price": 90.5,
                          "attributes": {"weight_kg": 12.5}}]},
            {"id": "legs", "name": "Legs", "dimension": "product", "choose": "one",
             "options": [{"id": "steel", "name": "Steel"}, {"id": "wood", "name": "Wood"}]},
            {"id": "drawer", "name": "Drawer", "dimension": "product", "choose": "optional",
             "options": [{"id": "drawer", "name": "Drawer", "price": 40}]},
            {"id": "extras", "name": "Extras", "dimension": "packaging",
             "choose": {"min": 0, "max": 2},
             "options": [{"id": "felt", "name": "Felt pads"}, {"id": "hook", "name": "Hook"}]},
            {"id": "shipping", "name": "Shipping", "dimension": "delivery", "choose": "one",
             "options": [{"id": "van", "name": "Van", "attributes": {"lead_days": 3}}]},
        ],
        "constraints": [{"id": "oak-on-wood", "if": "top == oak", "then": "legs == wood"}],
    }
    catalog.update(changes)
    return catalog


def with_constraint(**constraint: Any) -> dict[str, Any]:
    """gen_catalog() with one more constraint (the second one, #2)."""
    catalog = gen_catalog()
    catalog["constraints"].append(constraint)
    return catalog


def problems_of(data: Any, path: str = "desk.json") -> list[str]:
    """The problem lines for a catalog given as plain data."""
    with pytest.raises(CatalogError) as caught:
        parse_model(json.dumps(data), path)
    return [str(problem) for problem in caught.value.problems]


def problems_of_text(text: str, path: str = "desk.yaml") -> list[str]:
    with pytest.raises(CatalogError) as caught:
        parse_model(text, path)
    return [str(problem) for problem in caught.value.problems]


# ---------------------------------------------------------------- good files


@pytest.fixture(scope="module")
def bike() -> CatalogModel:
    return load_model(DATA / "bike.yaml")


def test_bike_features(bike: CatalogModel) -> None:
    assert (bike.id, bike.name, bike.version, bike.currency) == ("city-bike", "City bike", 3, "EUR")
    assert [feature.id for feature in bike.features] == [
        "frame", "size", "brakes", "extras", "packaging", "delivery", "gift-wrap", "billing"]
    frame = bike.feature("frame")
    assert frame is not None
    assert (frame.min, frame.max, frame.multi, frame.choose_kind) == (1, 1, False, "one")
    assert frame.default == "alu"
    carbon = frame.option("carbon")
    assert carbon is not None
    assert carbon.price == Decimal("640.00") and isinstance(carbon.price, Decimal)
    assert carbon.cost == Decimal("410.5")
    assert carbon.attributes == {"weight_g": 950, "lead_days": 10, "colour": "black"}
    assert bike.feature("size").option("s").price == Decimal(0)
    extras = bike.feature("extras")
    assert (extras.min, extras.max, extras.multi, extras.choose_kind) == (0, 3, True, "multi")
    wrap = bike.feature("gift-wrap")
    assert (wrap.min, wrap.max, wrap.choose_kind) == (0, 1, "optional")
    assert bike.path.endswith("bike.yaml")


def test_bike_constraints(bike: CatalogModel) -> None:
    first, second, third, table = bike.constraints[:4]
    assert (first.index, first.kind, first.name) == (1, "if", "carbon-needs-disc")
    assert first.condition == OptionAtom("frame", ("carbon",))
    assert first.expr == OptionAtom("brakes", ("disc_hydraulic",))
    assert first.message == "Carbon frames only take hydraulic disc brakes."
    assert first.source == "if frame == carbon then brakes in [disc_hydraulic]"
    assert (second.index, second.kind, second.id, second.name) == (2, "require", None, "#2")
    assert second.source == "not (delivery == courier and packaging == pallet)"
    assert third.kind == "forbid"
    assert (table.kind, table.table_features, table.deny) == ("table", ("frame", "size"), False)
    assert table.rows[-1] == ("carbon", "l")
    assert table.source == "table over frame, size"
    deny = bike.constraints[6]
    assert (deny.kind, deny.deny, deny.rows) == ("table", True, (("yes-please", "pallet"),))
    assert [constraint.index for constraint in bike.constraints] == list(range(1, 9))


def test_json_and_yaml_give_the_same_model(bike: CatalogModel, tmp_path: Path) -> None:
    data = yaml.safe_load((DATA / "bike.yaml").read_text())
    path = tmp_path / "bike.json"
    path.write_text(json.dumps(data))
    from_json = load_model(path)
    assert from_json.features == bike.features
    assert from_json.constraints == bike.constraints


def test_optional_table_rows_take_null() -> None:
    model = parse_model(json.dumps(with_constraint(
        table={"features": ["top", "drawer"], "allow": [["oak", None], ["pine", "drawer"]]})))
    assert model.constraints[1].rows == (("oak", None), ("pine", "drawer"))


def test_whole_number_ids_and_non_ascii_names_are_fine() -> None:
    text = """
catalog: räder
name: Fahrräder für Groß und Klein
version: 2
currency: CHF
features:
  - id: wheel
    name: Radgröße
    dimension: product
    choose: one
    default: 28
    options:
      - {id: 26, name: "26 Zoll", price: "12.5"}
      - {id: 28, name: 28 Zoll — schnell, attributes: {farbe: grün}}
constraints:
  - require: wheel in [26, 28]
    message: Größe wählen
"""
    problems = problems_of_text(text)
    assert problems == ["desk.yaml: catalog id 'räder' is not valid: use lowercase letters, "
                        "digits, '-' and '_', starting with a letter or a digit"]
    model = parse_model(text.replace("räder", "raeder"))
    wheel = model.features[0]
    assert wheel.option_ids() == ["26", "28"]
    assert wheel.default == "28"
    assert wheel.options[0].price == Decimal("12.5")
    assert wheel.name == "Radgröße"


def test_prices_up_to_four_decimals() -> None:
    catalog = gen_catalog()
    catalog["features"][0]["options"][0]["price"] = 0.0001
    catalog["features"][0]["options"][1]["price"] = "1000000000000"
    model = parse_model(json.dumps(catalog), "desk.json")
    assert model.features[0].options[0].price == Decimal("0.0001")
    assert model.features[0].options[1].price == Decimal("1E+12")


def test_an_option_may_name_its_picture() -> None:
    catalog = gen_catalog()
    catalog["features"][0]["options"][0]["image"] = "/static/parts/oak.png"
    catalog["features"][0]["options"][1]["image"] = "https://cdn.example.com/pine.jpg"
    model = parse_model(json.dumps(catalog), "desk.json")
    assert [option.image for option in model.features[0].options[:2]] == [
        "/static/parts/oak.png", "https://cdn.example.com/pine.jpg"]
    catalog["features"][0]["options"][0]["image"] = "javascript:alert(1)"
    with pytest.raises(CatalogError) as caught:
        parse_model(json.dumps(catalog), "desk.json")
    assert "'image' must be an https:// address or a path starting with '/'" in str(caught.value)


# ----------------------------------------------------------------- problems


def test_every_problem_of_a_file_at_once() -> None:
    with pytest.raises(CatalogError) as caught:
        load_model(DATA / "broken.yaml")
    file = str(DATA / "broken.yaml")
    lines = [line.removeprefix(file + ": ") for line in str(caught.value).splitlines()]
    assert lines == [
        "unknown key 'colour' (allowed: catalog, constraints, currency, description, features, "
        "language, name, translations, version)",
        "catalog id 'Broken Bike' is not valid: use lowercase letters, digits, '-' and '_', "
        "starting with a letter or a digit",
        "'version' must be a whole number from 0 to 9223372036854775807, not 'three'",
        "'currency' must be a three-letter code such as EUR, not 'euro'",
        "features[0] 'frame', options[0] 'alu': price -5 is negative",
        "features[0] 'frame': option 'alu' is listed twice",
        "features[0] 'frame', options[2] 'carbon': price 12.34567 has more than 4 decimals",
        "features[0] 'frame', options[2] 'carbon': attribute 'weight_g' must be a number, a text or "
        "true/false, not a list",
        "features[0] 'frame': default 'steel' is not an option of this feature",
        "features[1] 'frame': feature id 'frame' is already used by features[0]",
        "features[2] 'brakes': dimension 'shipping' is unknown: use one of product, packaging, "
        "delivery, billing",
        "features[2] 'brakes', options[0] 'rim': price '1e30' is too large (at most "
        "1000000000000)",
        "features[2] 'brakes', options[1] 'disc': unknown key 'colour' (allowed: attributes, "
        "cost, description, id, image, name, price, recurring)",
        "features[2] 'brakes': 'choose' needs 0 <= min <= max <= 2 (the number of options), "
        "not min 2 and max 1",
        "constraint 'carbon-needs-disc' (#1): in 'then', unknown option 'disk' of feature "
        "'brakes'",
        "constraint #2: column 30: expected an option id after '==', found the end of the rule",
        "constraint #3: unknown feature or dimension 'wheels' in count()",
        "constraint #3: unknown attribute 'weight_kg' in sum(): no option has it",
        "constraint #4: feature 'brakes' is multi-select; a table takes only `choose: one` or "
        "`optional` features",
        "constraint #4: unknown feature 'wheels'",
        "constraint #5: mixes 'require' and 'forbid': give exactly one of if/then, require, "
        "forbid or table",
        "constraint 'carbon-needs-disc' (#6): constraint id 'carbon-needs-disc' is already used "
        "by #1",
    ]
    assert all(isinstance(problem, Problem) for problem in caught.value.problems)
    assert all(problem.file == file for problem in caught.value.problems)


def test_problem_and_error_text() -> None:
    problem = Problem("catalog/bike.yaml", "features[2] 'frame'", "option 'alu' is listed twice")
    assert str(problem) == "catalog/bike.yaml: features[2] 'frame': option 'alu' is listed twice"
    assert str(Problem("a.yaml", "", "the file is empty")) == "a.yaml: the file is empty"
    error = CatalogError([problem, Problem("b.yaml", "x", "y")])
    assert str(error) == str(problem) + "\nb.yaml: x: y"
    assert isinstance(error, ValueError)


def _feature_change(index: int, **changes: Any) -> dict[str, Any]:
    catalog = gen_catalog()
    catalog["features"][index].update(changes)
    return catalog


def _option_change(**changes: Any) -> dict[str, Any]:
    catalog = gen_catalog()
    catalog["features"][0]["options"][0].update(changes)
    return catalog


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ([1, 2], "desk.json: the file must hold a mapping (catalog, version, currency, features, "
                 "constraints), not a list"),
        ("just text", "desk.json: the file must hold a mapping"),
        (gen_catalog(version=1e400), "desk.json: 'version' must be a whole number from 0 to "
                                     "9223372036854775807, not inf"),
        (gen_catalog(version=True), "'version' must be a whole number"),
        (gen_catalog(version=-1), "'version' must be a whole number"),
        (gen_catalog(version=None), "desk.json: 'version' is missing"),
        (gen_catalog(currency=None), "desk.json: 'currency' is missing"),
        (gen_catalog(features=[]), "desk.json: features: must be a non-empty list of features"),
        (gen_catalog(features=None), "desk.json: 'features' is missing"),
        (gen_catalog(constraints={"a": 1}), "desk.json: constraints: must be a list"),
        (gen_catalog(extra=1, more=2), "desk.json: unknown keys 'extra', 'more' (allowed:"),
        (_feature_change(0, id="Top"), "desk.json: features[0]: feature id 'Top' is not valid"),
        (_feature_change(0, id="-top"), "features[0]: feature id '-top' is not valid"),
        (_feature_change(0, id=None), "desk.json: features[0]: 'id' is missing"),
        (_feature_change(1, id="top"), "desk.json: features[1] 'top': feature id 'top' is "
                                       "already used by features[0]"),
        (_feature_change(0, dimension=None), "features[0] 'top': 'dimension' is missing"),
        (_feature_change(0, choose="many"), "features[0] 'top': 'choose' must be one, optional or "
                                            "{min: M, max: N}, not 'many'"),
        (_feature_change(0, choose=None), "features[0] 'top': 'choose' is missing"),
        (_feature_change(3, choose={"min": 0, "max": 3}), "features[3] 'extras': 'choose' needs "
                                                           "0 <= min <= max <= 2"),
        (_feature_change(3, choose={"min": -1, "max": 1}), "'choose' needs 0 <= min"),
        (_feature_change(3, choose={"min": 0, "max": 1, "step": 2}), "features[3] 'extras': "
                                                                     "'choose' has unknown key "
                                                                     "'step'"),
        (_feature_change(3, choose={"min": "0", "max": 1}), "'choose' needs whole numbers"),
        (_feature_change(0, options=[]), "features[0] 'top': 'options' must be a non-empty list"),
        (_feature_change(0, default="teak"), "features[0] 'top': default 'teak' is not an option"),
        (_feature_change(0, colour="red"), "features[0] 'top': unknown key 'colour'"),
        (_feature_change(0, name=["x"]), "features[0] 'top': 'name' must be text, not a list"),
        (_option_change(id="oak tree"), "features[0] 'top', options[0]: option id 'oak tree' is "
                                        "not valid"),
        (_option_change(id="pine"), "features[0] 'top': option 'pine' is listed twice"),
        (_option_change(price=-0.01), "options[0] 'oak': price -0.01 is negative"),
        (_option_change(price=1e30), "options[0] 'oak': price 1e+30 is too large"),
        (_option_change(price="NaN"), "options[0] 'oak': price must be a number, not 'NaN'"),
        (_option_change(price="Infinity"), "price must be a number, not 'Infinity'"),
        (_option_change(price=True), "price must be a number, not true"),
        (_option_change(price="12,50"), "price must be a number, not '12,50'"),
        (_option_change(price=1.00001), "price 1.00001 has more than 4 decimals"),
        (_option_change(cost=-1), "options[0] 'oak': cost -1 is negative"),
        (_option_change(attributes=[1]), "'attributes' must be a mapping, not a list"),
        (_option_change(attributes={"w": None}), "attribute 'w' must be a number, a text or true/false, "
                                                 "not nothing (null)"),
        (_option_change(attributes={"w": [1]}), "attribute 'w' must be a number, a text or true/false"),
        (_option_change(attributes={"a b": 1}), "attribute name 'a b' is not valid"),
    ],
)
def test_schema_problems(data: Any, problem: str) -> None:
    problems = problems_of(data)
    assert any(line.startswith(problem) or problem in line for line in problems), problems


@pytest.mark.parametrize(
    ("constraint", "problem"),
    [
        ({"require": "top == teak"}, "constraint #2: unknown option 'teak' of feature 'top'"),
        ({"require": "tops == oak"}, "constraint #2: unknown feature 'tops'"),
        ({"require": "top in [oak, teak, ash]"}, "constraint #2: unknown option 'teak' of "
                                                 "feature 'top'"),
        ({"require": "drawers"}, "constraint #2: unknown feature 'drawers'"),
        ({"id": "x", "if": "top == oak", "then": "legs == wod"},
         "constraint 'x' (#2): in 'then', unknown option 'wod' of feature 'legs'"),
        ({"id": "x", "if": "top ==", "then": "legs"},
         "constraint 'x' (#2): in 'if', column 7: expected an option id after '=='"),
        ({"require": "count(shelves) > 1"}, "unknown feature or dimension 'shelves' in count()"),
        ({"require": "sum(height) > 1"}, "unknown attribute 'height' in sum(): no option has it"),
        ({"require": "sum(weight_kg, shipping) > 1"}, "unknown dimension 'shipping' in sum()"),
        ({"require": "sum(finish) > 1"}, "attribute 'finish' is text on some options; sum() "
                                         "needs numbers"),
        ({"require": "sum(finish, product) > 1"}, "attribute 'finish' is text"),
        ({"require": 42}, "constraint #2: the rule must be written as text, not 42"),
        ({"if": "top == oak"}, "constraint #2: 'if' without 'then'"),
        ({"then": "top == oak"}, "constraint #2: 'then' without 'if'"),
        ({"message": "nothing"}, "constraint #2: no rule: give one of if/then, require, forbid "
                                 "or table"),
        ({"require": "top", "colour": 1}, "constraint #2: unknown key 'colour'"),
        ({"id": "Big", "require": "top"}, "constraint #2: constraint id 'Big' is not valid"),
        ({"id": "oak-on-wood", "require": "top"}, "constraint 'oak-on-wood' (#2): constraint id "
                                                  "'oak-on-wood' is already used by #1"),
        ({"require": "top", "message": {"a": 1}}, "'message' must be text, not a mapping"),
        ({"table": {"features": ["top", "extras"], "allow": []}},
         "constraint #2: feature 'extras' is multi-select; a table takes only"),
        ({"table": {"features": ["top", "top"], "allow": []}},
         "feature 'top' appears twice in the table"),
        ({"table": {"features": [], "allow": []}}, "the table's 'features' must be a non-empty"),
        ({"table": {"features": ["top"], "allow": [], "deny": []}},
         "a table needs exactly one of 'allow' or 'deny'"),
        ({"table": {"features": ["top"]}}, "a table needs exactly one of 'allow' or 'deny'"),
        ({"table": {"features": ["top", "legs"], "allow": [["oak", "iron"]]}},
         "constraint #2: row 1: 'iron' is not an option of feature 'legs'"),
        ({"table": {"features": ["top", "legs"], "allow": [["oak", None]]}},
         "row 1: null in column 2, but feature 'legs' is `choose: one`"),
        ({"table": {"features": ["top", "legs"], "deny": [["oak"]]}},
         "row 1: needs a list of 2 entries, one per feature, not a list"),
        ({"table": {"features": ["top", "legs"], "deny": "oak"}},
         "the table's rows must be a list of lists"),
        ({"table": {"features": ["top"], "allow": [[["oak"]]]}},
         "row 1: a list is not an option of feature 'top'"),
        ({"table": {"features": ["top"], "allow": [], "kind": 1}},
         "'table' has unknown key 'kind'"),
        ({"table": ["top"]}, "'table' must be a mapping"),
    ],
)
def test_constraint_problems(constraint: dict[str, Any], problem: str) -> None:
    problems = problems_of(with_constraint(**constraint))
    assert any(problem in line for line in problems), problems


@pytest.mark.parametrize(
    "rule",
    ["count(product) <= 4", "count(extras) == 1", "sum(lead_days, delivery) < 10",
     "sum(weight_kg, product) < 40", "customer.anything in [a, 'b c']", "drawer", "price() > 1"],
)
def test_names_that_exist_are_accepted(rule: str) -> None:
    model = parse_model(json.dumps(with_constraint(require=rule)), "desk.json")
    assert model.constraints[1].source == rule


def test_a_bad_table_reports_a_limited_number_of_rows() -> None:
    rows = [["oak", f"leg{n}"] for n in range(50)]
    problems = problems_of(with_constraint(table={"features": ["top", "legs"], "allow": rows}))
    assert len(problems) == 21
    assert problems[-1] == "desk.json: constraint #2: and 30 more bad rows"


def test_a_syntax_error_does_not_hide_other_problems() -> None:
    catalog = with_constraint(require="top == oak and")
    catalog["constraints"].append({"require": "legs == iron"})
    catalog["features"][0]["options"][0]["price"] = -1
    problems = problems_of(catalog)
    assert problems == [
        "desk.json: features[0] 'top', options[0] 'oak': price -1 is negative",
        "desk.json: constraint #2: column 15: expected a condition (a feature id, 'not', '(', "
        "customer.KEY, sum(...), count(...) or price()) after 'and', found the end of the rule",
        "desk.json: constraint #3: unknown option 'iron' of feature 'legs'",
    ]


def test_yes_and_no_ids_get_a_hint() -> None:
    text = yaml.safe_dump(gen_catalog()).replace("id: drawer\n", "id: yes\n", 1)
    problems = problems_of_text(text)
    assert any("is not text; YAML reads yes, no, on, off, true and false as truth values"
               in line for line in problems), problems


# ------------------------------------------------------------ hostile input


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "desk.yaml: the file is empty"),
        ("  \n\n", "desk.yaml: the file is empty"),
        ("# nothing here\n", "desk.yaml: the file holds no data, only comments"),
        ("catalog: [a\n", "desk.yaml: line 2, column 1: not valid YAML: "),
        ("a: b: c\n", "desk.yaml: line 1, column 5: not valid YAML: mapping values are not "
                      "allowed in this context"),
        ("a: 1\n---\nb: 2\n", "desk.yaml: line 2, column 1: not valid YAML: expected a single "
                              "document in the stream, but found another document"),
        ("a: !!python/object:os.system x\n", "desk.yaml: line 1, column 4: not valid YAML: could "
                                             "not determine a constructor"),
        ("a: \x07\n", "desk.yaml: not valid YAML:"),
    ],
)
def test_unreadable_yaml(text: str, problem: str) -> None:
    problems = problems_of_text(text)
    assert len(problems) == 1
    assert problems[0].startswith(problem), problems


def test_unreadable_json() -> None:
    assert problems_of_text('{"catalog": "a",\n "version": }', "desk.json") == [
        "desk.json: line 2, column 13: not valid JSON: Expecting value"]
    assert problems_of_text("[" * 100_000, "desk.json") == [
        "desk.json: the document is nested too deeply"]


def test_duplicate_keys_are_reported_with_the_other_problems() -> None:
    text = yaml.safe_dump(gen_catalog(), sort_keys=False).replace(
        "version: 1\n", "version: 1\nversion: 2\n").replace("currency: EUR", "currency: eur")
    problems = problems_of_text(text)
    assert problems == [
        "desk.yaml: line 4, column 1: key 'version' appears more than once in the same mapping",
        "desk.yaml: 'currency' must be a three-letter code such as EUR, not 'eur'",
    ]


def test_duplicate_keys_in_json() -> None:
    text = json.dumps(gen_catalog()).replace('"version": 1', '"version": 1, "version": 1')
    assert problems_of_text(text, "desk.json") == [
        "desk.json: key 'version' appears more than once in the same object"]


def test_merge_keys_are_not_duplicates() -> None:
    text = """
catalog: desk
version: 1
currency: EUR
features:
  - id: legs
    dimension: product
    choose: one
    options:
      - &steel {id: steel, name: Steel, price: 10}
      - <<: *steel
        id: wood
        name: Wood
"""
    legs = parse_model(text).feature("legs")
    assert legs.option_ids() == ["steel", "wood"]
    assert legs.option("wood").price == Decimal(10)


def test_billion_laughs_is_refused() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    problems = problems_of_text("\n".join(lines) + "\n")
    assert len(problems) == 1
    assert "aliases (*name) expand the document to more than" in problems[0]


def test_too_many_aliases_are_refused() -> None:
    text = "a: &x 1\nb: [" + ", ".join(["*x"] * 101) + "]\n"
    assert problems_of_text(text) == [
        "desk.yaml: the document uses 101 aliases (*name); at most 100 are allowed"]


def test_a_few_aliases_are_fine() -> None:
    text = yaml.safe_dump(gen_catalog(), sort_keys=False).replace(
        "name: Oak\n", "name: &wood Oak\n").replace("name: Wood\n", "name: *wood\n")
    assert parse_model(text).feature("legs").option("wood").name == "Oak"


def test_self_referencing_alias_is_refused() -> None:
    assert problems_of_text("a: &a [1, *a]\n") == [
        "desk.yaml: line 1, column 4: an alias (*name) refers to a value that contains it"]


@pytest.mark.parametrize("text", ["[" * 100_000, "- " * 50_000 + "x", "{a: " * 20_000])
def test_absurd_nesting_is_refused_without_crashing(text: str) -> None:
    problems = problems_of_text(text)
    assert len(problems) == 1
    assert "nested more than 100 levels deep" in problems[0]


def test_missing_and_undecodable_files(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match=r"nope\.yaml: cannot read the file: No such file"):
        load_model(tmp_path / "nope.yaml")
    with pytest.raises(CatalogError, match="cannot read the file: Is a directory"):
        load_model(tmp_path)
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"catalog: caf\xe9\n")
    with pytest.raises(CatalogError, match=r"bad\.yaml: not UTF-8 text \(byte 13 cannot"):
        load_model(bad)


def test_ten_thousand_options_load() -> None:
    catalog = gen_catalog()
    catalog["features"][1]["options"] = [
        {"id": f"o{n}", "name": f"Option {n}", "price": n % 97} for n in range(10_000)]
    catalog["constraints"] = [
        {"require": "legs in [" + ", ".join(f"o{n}" for n in range(0, 10_000, 10)) + "]"}]
    text = json.dumps(catalog)  # JSON is YAML too: the same text exercises both readers
    # Load times are measured by `python -m bench.catalogs`, not asserted here.
    assert len(parse_model(text, "many.json").feature("legs").options) == 10_000
    assert len(parse_model(text, "many.yaml").feature("legs").options) == 10_000


# --------------------------------------------------------------- benchmarks

needs_benchmarks = pytest.mark.skipif(
    not BENCHMARKS.is_dir(), reason=f"benchmark catalogs not found at {BENCHMARKS}"
)


@needs_benchmarks
def test_renault_medium_loads() -> None:
    model = load_model(BENCHMARKS / "renault-medium.yaml")
    assert len(model.features) == 148
    assert len(model.constraints) == 174
    assert all(constraint.kind == "table" for constraint in model.constraints)


@needs_benchmarks
def test_renault_big_loads_whole() -> None:
    # Load time is measured by `python -m bench.catalogs`, not asserted here.
    model = load_model(BENCHMARKS / "renault-big.json")
    assert len(model.features) == 268
    assert len(model.constraints) == 332
    assert sum(len(constraint.rows) for constraint in model.constraints) == 225_989
    assert max(len(feature.options) for feature in model.features) == 324


def test_models_are_plain_values() -> None:
    catalog = gen_catalog()
    first = parse_model(json.dumps(catalog), "desk.json")
    second = parse_model(json.dumps(copy.deepcopy(catalog)), "desk.json")
    assert first == second
    assert first.constraints[0].condition == OptionAtom("top", ("oak",))
    assert not isinstance(first.constraints[0].expr, FilledAtom)


def test_a_true_or_false_attribute_is_kept_and_never_summed() -> None:
    """A yes/no property of an option (`waterproof: true`, the workbench's checkbox) loads as a bool;
    sum() refuses it as it refuses a text."""
    catalog = _option_change(attributes={"weight_kg": 20, "waterproof": True})
    catalog["features"][0]["options"][1]["attributes"]["waterproof"] = False
    model = parse_model(json.dumps(catalog), "desk.json")
    top = model.feature("top")
    assert top.option("oak").attributes["waterproof"] is True
    assert top.option("pine").attributes["waterproof"] is False
    catalog["constraints"].append({"require": "sum(waterproof) > 0"})
    problems = problems_of(catalog)
    assert any("attribute 'waterproof' is true/false on some options; sum() needs numbers" in line
               for line in problems), problems
