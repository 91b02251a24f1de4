"""`configurator catalog check|domains|explain|complete|repair|graph|import` (spec section 4).

Every bad input (missing file, not YAML, malformed rule, unknown feature or
option in --select) is one line on stderr and exit status 2; never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from configurator.config import compiled_dir
from configurator.engine import (
    Catalog,
    CatalogError,
    CompiledStore,
    CompileError,
    SelectionError,
    format_money,
    load_catalog,
)
from configurator.engine.graph import independent_parts, influenced_by
from configurator.engine.importers import FORMATS, ImportFormatError, import_model
from configurator.engine.loader import parse_model

USAGE_ERROR = 2


class BadInput(Exception):
    """Input the command cannot work with: reported in one line, exit 2."""


def register(commands) -> None:
    """Add the `catalog` command group to the `configurator` parser."""
    catalog = commands.add_parser("catalog", help="check and query catalog files")
    sub = catalog.add_subparsers(dest="catalog_command", metavar="SUBCOMMAND", parser_class=type(catalog))
    sub.required = True

    check = sub.add_parser("check", help="report every problem, dead options and the exact count")
    check.add_argument("path")
    check.add_argument("--json", action="store_true", help="print one JSON object")
    check.set_defaults(handler=_guarded(run_check))

    for name, handler, text in (
        ("domains", run_domains, "valid options of every feature after the picks"),
        ("explain", run_explain, "why an option is impossible"),
        ("complete", run_complete, "the cheapest complete configuration with the picks"),
        ("repair", run_repair, "the fewest picks to change to make an option possible"),
    ):
        command = sub.add_parser(name, help=text)
        command.add_argument("path")
        if name in ("explain", "repair"):
            command.add_argument("--option", required=True, metavar="F=O")
        command.add_argument("--select", action="append", default=[], metavar="F=O")
        command.add_argument("--customer", action="append", default=[], metavar="KEY=VALUE")
        command.add_argument("--json", action="store_true", help="print one JSON object")
        command.set_defaults(handler=_guarded(handler))

    graph = sub.add_parser("graph", help="independent parts and which features influence which")
    graph.add_argument("path")
    graph.add_argument("--feature", help="list the features a pick of this one can affect")
    graph.add_argument("--json", action="store_true")
    graph.set_defaults(handler=_guarded(run_graph))

    imported = sub.add_parser("import", help="write a catalog from a DIMACS, UVL or XCSP 2.1 model")
    imported.add_argument("path", metavar="FILE")
    imported.add_argument("--format", required=True, choices=FORMATS)
    imported.add_argument("-o", "--output", required=True, metavar="OUT.yaml")
    imported.set_defaults(handler=_guarded(run_import))


def _guarded(handler):
    """Turn bad input into one line and exit 2."""

    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except BadInput as error:
            print(f"configurator: error: {error}", file=sys.stderr)
            return USAGE_ERROR
        except (SelectionError, CompileError, ImportFormatError) as error:
            print(f"configurator: error: {error}", file=sys.stderr)
            return USAGE_ERROR

    return run


# ---------------------------------------------------------------- inputs


def _open(path: str) -> Catalog:
    if not Path(path).is_file():
        raise BadInput(f"{path}: no such file")
    try:
        catalog = load_catalog(path)
    except CatalogError as error:
        raise BadInput(_one_line(error)) from None
    return catalog.prepare(_store())


def _store() -> CompiledStore:
    """The compiled catalogs the app keeps: a catalog compiled once is read back by every command."""
    return CompiledStore(compiled_dir())


def _one_line(error: CatalogError) -> str:
    problems = [str(problem) for problem in error.problems] or [str(error)]
    if len(problems) == 1:
        return problems[0]
    return f"{problems[0]} (and {len(problems) - 1} more: {'; '.join(problems[1:4])}{' ...' if len(problems) > 4 else ''})"


def _pairs(values: list[str], flag: str) -> list[tuple[str, str]]:
    pairs = []
    for value in values:
        name, sep, item = value.partition("=")
        if not sep or not name.strip() or not item.strip():
            raise BadInput(f"{flag} expects NAME=VALUE, got '{value}'")
        pairs.append((name.strip(), item.strip()))
    return pairs


def _selection(catalog: Catalog, values: list[str]) -> dict[str, list[str]]:
    selection: dict[str, list[str]] = {}
    for feature, option in _pairs(values, "--select"):
        selection.setdefault(feature, []).append(option)
    catalog.normalize(selection)  # unknown feature or option -> SelectionError
    return selection


def _customer(values: list[str]) -> dict[str, str]:
    return dict(_pairs(values, "--customer"))


def _option(catalog: Catalog, value: str) -> tuple[str, str]:
    [(feature, option)] = _pairs([value], "--option")
    catalog.normalize({feature: option})
    return feature, option


def _print_json(data) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")


# ---------------------------------------------------------------- commands


def run_check(args: argparse.Namespace) -> int:
    """Exit 0 when usable, 1 when not; 2 when the file cannot be read or parsed at all."""
    if not Path(args.path).is_file():
        raise BadInput(f"{args.path}: no such file")
    try:
        catalog = load_catalog(args.path)
    except CatalogError as error:
        if any(getattr(problem, "syntax", False) for problem in error.problems):
            raise BadInput(_one_line(error)) from None
        return _report_unusable(args, [str(p) for p in error.problems])
    try:
        catalog.prepare(_store())
    except CompileError:
        pass  # the check reports it, as a problem of the catalog
    report = catalog.check()
    report.warnings.extend(missing_images(catalog.model, args.path))
    if args.json:
        _print_json(report.to_json())
    else:
        _print_report(report)
    return 0 if report.usable else 1


def missing_images(model, path: str) -> list[str]:
    """A warning per option whose image layer file is not there (relative to the
    catalog's folder): the shop draws the picture without it, so the catalog stays
    usable, but its manager wants to know."""
    folder = Path(path).resolve().parent
    found = []
    for feature in model.features:
        for option in feature.options:
            image = option.image
            # https:// and /... images are served from elsewhere: only layer files are ours to check.
            if image and not image.startswith(("/", "https://")) and not (folder / image).is_file():
                found.append(
                    f"{path}: feature '{feature.id}': option '{option.id}': image '{image}' "
                    "not found (the picture is drawn without it)"
                )
    return found


def _report_unusable(args, problems: list[str]) -> int:
    if args.json:
        _print_json({"path": args.path, "usable": False, "count": None, "problems": problems})
    else:
        for problem in problems:
            print(problem)
        print(f"{args.path}: not usable ({len(problems)} problem{'s' if len(problems) != 1 else ''})")
    return 1


def _print_report(report) -> None:
    for line in report.problems + report.warnings:
        print(line)
    for feature, option in report.dead_options:
        print(f"{report.path}: feature '{feature}': option '{option}' is dead: no valid configuration picks it")
    for feature in report.unfillable_features:
        print(f"{report.path}: feature '{feature}' can never be filled")
    for line in report.unreachable_rules:
        print(line)
    for line in report.missing_translations:
        print(f"{report.path}: not translated (shown in the catalog's language): {line}")
    stats = report.stats
    if stats:
        print(
            f"{report.path}: {stats['features']} features, {stats['options']} options, "
            f"{stats['constraints']} constraints, {stats['independent_parts']} independent part(s), "
            + (f"tree width {stats['width']}" if "width" in stats else f"backend: {stats['backend']}")
        )
    if report.count is not None:
        print(f"{report.path}: {report.count} complete valid configurations")
    print(f"{report.path}: {'usable' if report.usable else 'not usable'}")


def run_domains(args: argparse.Namespace) -> int:
    catalog = _open(args.path)
    state = catalog.domains(_selection(catalog, args.select), _customer(args.customer))
    if args.json:
        _print_json(state.to_json())
        return 0
    if not state.consistent:
        print("inconsistent: " + (state.conflict.sentence() if state.conflict else ""))
        return 0
    for feature in catalog.model.features:
        empty = " (or none)" if feature.id in state.may_be_empty else ""
        print(f"{feature.id}: {', '.join(state.domains[feature.id]) or '-'}{empty}")
    print("complete" if state.complete else "not complete")
    return 0


def run_explain(args: argparse.Namespace) -> int:
    catalog = _open(args.path)
    feature, option = _option(catalog, args.option)
    explanation = catalog.explain(feature, option, _selection(catalog, args.select), _customer(args.customer))
    if args.json:
        _print_json(explanation.to_json())
    elif explanation.possible:
        print(f"{feature}={option} is possible")
    else:
        print(f"{feature}={option} is impossible: {explanation.sentence()}")
        for constraint in explanation.constraints:
            print(f"  rule {constraint.name}: {constraint.message or constraint.source}")
    return 0


def run_complete(args: argparse.Namespace) -> int:
    catalog = _open(args.path)
    completion = catalog.complete(_selection(catalog, args.select), _customer(args.customer))
    if args.json:
        _print_json(completion.to_json())
    elif not completion.consistent:
        print("inconsistent: " + (completion.conflict.sentence() if completion.conflict else ""))
    else:
        for feature, options in completion.selections.items():
            print(f"{feature}: {options if isinstance(options, str) else ', '.join(options)}")
        print(f"price: {format_money(completion.price)} {catalog.model.currency}")
    return 0


def run_repair(args: argparse.Namespace) -> int:
    catalog = _open(args.path)
    feature, option = _option(catalog, args.option)
    repair = catalog.repair(feature, option, _selection(catalog, args.select), _customer(args.customer))
    if args.json:
        _print_json(repair.to_json() if repair else {"option": f"{feature}={option}", "possible": False})
    elif repair is None:
        print(f"{feature}={option} is not available to this customer in any configuration")
    else:
        for change in repair.changes:
            print(f"change {change.feature}: {', '.join(change.before)} -> {', '.join(change.after) or 'none'}")
        print(f"price difference: {format_money(repair.price_delta)} {catalog.model.currency}")
    return 0


def run_graph(args: argparse.Namespace) -> int:
    catalog = _open(args.path)
    model = catalog.model
    if args.feature and model.feature(args.feature) is None:
        raise BadInput(f"unknown feature '{args.feature}' in catalog '{model.id}'")
    data = {
        "independent_parts": independent_parts(model),
        "question_order": [f.id for f in catalog.feature_order()],
    }
    if args.feature:
        data["influenced_by"] = influenced_by(model, args.feature)
    if args.json:
        _print_json(data)
    else:
        for number, part in enumerate(data["independent_parts"], 1):
            print(f"part {number}: {', '.join(part)}")
        print(f"question order: {', '.join(data['question_order'])}")
        if args.feature:
            print(f"a pick of {args.feature} can affect: {', '.join(data['influenced_by']) or 'nothing'}")
    return 0


def run_import(args: argparse.Namespace) -> int:
    """Convert a model, check the result with the catalog loader, then write it."""
    import yaml

    data = import_model(args.path, args.format)
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120)
    try:
        model = parse_model(text, args.output)
    except CatalogError as error:
        raise BadInput(f"{args.path}: the converted catalog is not valid: {error}") from None
    try:
        Path(args.output).write_text(text, encoding="utf-8")
    except OSError as error:
        raise BadInput(f"cannot write {args.output}: {error}") from None
    print(f"{args.output}: {len(model.features)} features, {len(model.constraints)} constraints "
          f"from {args.path} ({args.format})")
    return 0
