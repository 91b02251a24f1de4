"""Reading the `constraints:` of a catalog: rules and tables, checked against its features."""

from __future__ import annotations

from typing import Any

from configurator.engine.model import Constraint, Feature
from configurator.engine.problems import ID, ProblemLog, as_id, describe, said
from configurator.engine.rule_names import RuleNames, check_names
from configurator.engine.rules import RuleSyntaxError, parse_expression

CONSTRAINT_KEYS = {"id", "message", "description", "if", "then", "require", "forbid", "table"}
TABLE_KEYS = {"features", "allow", "deny"}
MAX_TABLE_PROBLEMS = 20


def read_constraints(raw: Any, features: tuple[Feature, ...],
                     log: ProblemLog) -> tuple[Constraint, ...]:
    """The constraints of a catalog; problems go to `log`, bad constraints are left out."""
    return _ConstraintReader(log).constraints(raw, features)


class _ConstraintReader:
    """Reads constraints one by one, reporting every problem to the log."""

    def __init__(self, log: ProblemLog) -> None:
        self.log = log
        self.report = log.report
        self.unknown_keys = log.unknown_keys
        self.identifier = log.identifier
        self.text = log.text

    def constraints(self, raw: Any, features: tuple[Feature, ...]) -> tuple[Constraint, ...]:
        if raw is None:
            return ()
        if not isinstance(raw, list):
            self.report("constraints", said("must be a list of constraints, not %(value)s",
                                            value=describe(raw)))
            return ()
        context = RuleNames(features)
        constraints: list[Constraint] = []
        first_index: dict[str, int] = {}
        for index, item in enumerate(raw, start=1):
            self.note_constraint_id(index, item, first_index)
            constraint = self.constraint(index, item, context)
            if constraint is not None:
                constraints.append(constraint)
        return tuple(constraints)

    def note_constraint_id(self, index: int, item: Any, first_index: dict[str, int]) -> None:
        """Report an id already used, even when that earlier constraint had problems."""
        constraint_id = as_id(item.get("id")) if isinstance(item, dict) else None
        if constraint_id is None or not ID.match(constraint_id):
            return
        if constraint_id in first_index:
            self.report(_constraint_location(constraint_id, index),
                        said("constraint id '%(constraint)s' is already used by #%(number)s",
                             constraint=constraint_id, number=first_index[constraint_id]))
        else:
            first_index[constraint_id] = index

    def constraint(self, index: int, item: Any, context: RuleNames) -> Constraint | None:
        if not isinstance(item, dict):
            self.report(_constraint_location(None, index), said("a constraint must be a mapping, not %(value)s",
                                                     value=describe(item)))
            return None
        constraint_id = None
        if "id" in item:
            constraint_id = self.identifier(_constraint_location(None, index), "id", item["id"],
                                            "constraint id")
        location = _constraint_location(constraint_id, index)
        self.unknown_keys(location, item, CONSTRAINT_KEYS)
        message = self.text(location, "message", item.get("message"), default="")
        self.text(location, "description", item.get("description"), default="")
        kind = self.constraint_kind(location, item)
        if kind is None:
            return None
        base = {"index": index, "kind": kind, "id": constraint_id, "message": message}
        if kind == "table":
            return self.table(location, item["table"], context, base)
        return self.rule_constraint(location, kind, item, context, base)

    def constraint_kind(self, location: str, item: dict) -> str | None:
        kinds = [kind for kind in ("if", "require", "forbid", "table") if kind in item]
        if "then" in item and "if" not in item:
            self.report(location, said("'then' without 'if'"))
            return None
        if not kinds:
            self.report(location, said("no rule: give one of if/then, require, forbid or table"))
            return None
        if len(kinds) > 1:
            self.report(location, said("mixes %(kinds)s: give exactly one of if/then, require, forbid or table",
                                       kinds=" and ".join(repr(kind) for kind in kinds)))
            return None
        if kinds == ["if"] and "then" not in item:
            self.report(location, said("'if' without 'then'"))
            return None
        return kinds[0]

    def rule_constraint(self, location: str, kind: str, item: dict, context: RuleNames,
                        base: dict) -> Constraint | None:
        if kind == "if":
            condition = self.rule(location, "if", item["if"], context, name_key=True)
            expr = self.rule(location, "then", item["then"], context, name_key=True)
            if condition is None or expr is None:
                return None
            source = f"if {item['if']} then {item['then']}"
            return Constraint(**base, condition=condition, expr=expr, source=source)
        expr = self.rule(location, kind, item[kind], context, name_key=False)
        if expr is None:
            return None
        return Constraint(**base, expr=expr, source=str(item[kind]))

    def rule(self, location: str, key: str, text: Any, context: RuleNames, *,
             name_key: bool) -> Any:
        """Parse one rule and check the names in it; None when it has problems."""
        def where(message: str) -> str:
            return said("in '%(key)s', %(problem)s", key=key, problem=message) if name_key else message

        if not isinstance(text, str):
            self.report(location, where(said("the rule must be written as text, not %(value)s",
                                             value=describe(text))))
            return None
        try:
            expr = parse_expression(text)
        except RuleSyntaxError as error:
            self.report(location, where(error.message), syntax=True)
            return None
        messages = check_names(expr, context)
        for message in messages:
            self.report(location, where(message))
        return None if messages else expr

    # --------------------------------------------------------------- tables

    def table(self, location: str, raw: Any, context: RuleNames,
              base: dict) -> Constraint | None:
        if not isinstance(raw, dict):
            self.report(location, f"'table' must be a mapping with features and allow or deny, "
                                  f"not {describe(raw)}")
            return None
        self.unknown_keys(location, raw, TABLE_KEYS, what="'table'")
        columns = self.table_columns(location, raw.get("features"), context)
        if ("allow" in raw) == ("deny" in raw):
            self.report(location, "a table needs exactly one of 'allow' or 'deny'")
            return None
        deny = "deny" in raw
        rows = self.table_rows(location, raw["deny" if deny else "allow"], columns)
        if columns is None or rows is None:
            return None
        features = tuple(feature.id for feature in columns)
        return Constraint(**base, table_features=features, rows=rows, deny=deny,
                          source=f"table over {', '.join(features)}")

    def table_columns(self, location: str, raw: Any,
                      context: RuleNames) -> list[Feature] | None:
        if not isinstance(raw, list) or not raw:
            self.report(location, f"the table's 'features' must be a non-empty list of "
                                  f"feature ids, not {describe(raw)}")
            return None
        columns: list[Feature] = []
        ok = True
        for value in raw:
            feature_id = as_id(value)
            feature = context.features.get(feature_id) if feature_id else None
            if feature is None:
                self.report(location, f"unknown feature {describe(value)}")
                ok = False
            elif feature.multi:
                self.report(location, f"feature '{feature.id}' is multi-select; a table "
                                      "takes only `choose: one` or `optional` features")
                ok = False
            elif feature in columns:
                self.report(location, f"feature '{feature.id}' appears twice in the table")
                ok = False
            else:
                columns.append(feature)
        return columns if ok else None

    def table_rows(self, location: str, raw: Any,
                   columns: list[Feature] | None) -> tuple[tuple[str | None, ...], ...] | None:
        if not isinstance(raw, list):
            self.report(location, f"the table's rows must be a list of lists, "
                                  f"not {describe(raw)}")
            return None
        if columns is None:
            return None
        checker = _RowChecker(columns)
        rows: list[tuple[str | None, ...]] = []
        problems: list[str] = []
        for number, row in enumerate(raw, start=1):
            converted = checker.check(row)
            if isinstance(converted, str):
                problems.append(f"row {number}: {converted}")
            else:
                rows.append(converted)
        for message in problems[:MAX_TABLE_PROBLEMS]:
            self.report(location, message)
        if len(problems) > MAX_TABLE_PROBLEMS:
            self.report(location, f"and {len(problems) - MAX_TABLE_PROBLEMS} more bad rows")
        return None if problems else tuple(rows)


class _RowChecker:
    """Checks table rows against the table's features, fast enough for 200,000 rows."""

    def __init__(self, columns: list[Feature]) -> None:
        self.columns = columns
        self.width = len(columns)
        self.option_ids = [set(feature.option_ids()) for feature in columns]
        self.nullable = [feature.min == 0 for feature in columns]
        # What a well-formed row may hold per column, null included where allowed.
        self.accepted = [
            ids | {None} if nullable else ids
            for ids, nullable in zip(self.option_ids, self.nullable, strict=True)
        ]

    def check(self, row: Any) -> tuple[str | None, ...] | str:
        """The row as a tuple, or a message saying what is wrong with it."""
        if type(row) is list and len(row) == self.width:
            try:
                if all(map(set.__contains__, self.accepted, row)):
                    return tuple(row)
            except TypeError:
                pass  # an unhashable entry: the careful check below names it
        return self.check_carefully(row)

    def check_carefully(self, row: Any) -> tuple[str | None, ...] | str:
        """Entry by entry: converts whole-number ids and names the first bad entry."""
        if not isinstance(row, list) or len(row) != self.width:
            return f"needs a list of {self.width} entries, one per feature, not {describe(row)}"
        entries: list[str | None] = []
        for column, entry in enumerate(row):
            if entry is None:
                if not self.nullable[column]:
                    return (f"null in column {column + 1}, but feature "
                            f"'{self.columns[column].id}' is `choose: one`")
                entries.append(None)
                continue
            option_id = as_id(entry)
            if option_id is None or option_id not in self.option_ids[column]:
                return (f"{describe(entry)} is not an option of feature "
                        f"'{self.columns[column].id}'")
            entries.append(option_id)
        return tuple(entries)


def _constraint_location(constraint_id: str | None, index: int) -> str:
    if constraint_id:
        return said("constraint '%(constraint)s' (#%(number)s)", constraint=constraint_id, number=index)
    return said("constraint #%(number)s", number=index)
