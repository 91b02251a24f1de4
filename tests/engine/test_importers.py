"""`configurator catalog import`: DIMACS, UVL and XCSP 2.1 models become catalogs, bad input a located line.

Counts of the imported catalogs are worked out by hand in the sample files'
comments or checked against an independent exact model counter (Ganak) on the
same CNF.
"""

from __future__ import annotations

from pathlib import Path

import pyganak
import pytest
import yaml

from configurator.cli import main
from configurator.engine import Catalog
from configurator.engine.importers import (
    ImportFormatError,
    dimacs_catalog,
    import_model,
    uvl_catalog,
    xcsp_catalog,
)

IMPORTS = Path(__file__).parent / "data" / "imports"
MODELS = Path(__file__).resolve().parents[2] / "bench" / "models"


def _catalog(data: dict) -> Catalog:
    return Catalog.from_text(yaml.safe_dump(data, sort_keys=False), path="imported.yaml")


def _ganak_count(dimacs: str) -> int:
    counter = pyganak.Counter()
    for line in dimacs.splitlines():
        if line.startswith("p"):
            counter.new_vars(int(line.split()[2]))
        elif line.strip() and not line.startswith("c"):
            counter.add_clause([int(x) for x in line.split()[:-1]])
    return counter.count()


def test_dimacs_names_features_and_counts_what_ganak_counts() -> None:
    """Car, engine (petrol xor electric), navigation free, towbar only with petrol: 3 x 2 = 6."""
    text = (IMPORTS / "small.dimacs").read_text()
    catalog = _catalog(dimacs_catalog(text, "small.dimacs"))
    assert catalog.model.feature("f3").name == "Petrol"
    assert catalog.count() == _ganak_count(text) == 6
    assert catalog.domains({"f6": "on"}).domains["f4"] == []


@pytest.mark.slow
def test_financial_services_counts_what_ganak_counts() -> None:
    """A real feature model (771 features, 23-literal clauses) imported and counted on its own."""
    text = (MODELS / "FinancialServices01.dimacs").read_text()
    catalog = _catalog(dimacs_catalog(text, "FinancialServices01.dimacs"))
    assert catalog.count() == _ganak_count(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1 2 0\n", "x:1: a clause before the 'p cnf' line"),
        ("p cnf 2 1\n1 x 0\n", "x:2: 'x' is not a literal"),
        ("p cnf 2 1\n1 3 0\n", "x:2: literal 3 beyond the 2 declared variables"),
        ("p cnf 2 1\n1 2\n", "x: the last clause does not end with 0"),
        ("p cnf 2 2\n1 2 0\n", "x: the 'p cnf' line declares 2 clauses, the file has 1"),
        ("p dnf 2 1\n", "x:1: expected 'p cnf VARIABLES CLAUSES'"),
        ("c nothing\n", "x: no 'p cnf' line"),
        ("p cnf 1 1\n0\n", "x:2: an empty clause"),
    ],
)
def test_bad_dimacs_is_one_located_line(text: str, message: str) -> None:
    with pytest.raises(ImportFormatError) as error:
        dimacs_catalog(text, "x")
    assert str(error.value).startswith(message)
    assert "\n" not in str(error.value)


def test_uvl_groups_and_constraints() -> None:
    """Frame alternative (2) x extras (off, or a non-empty subset of rack/light: 4) with Carbon => !Rack,
    bell <=> alu, and [1..2] of A, B, C with (A | B) & !C (3): (4 + 2) x 3 = 18."""
    catalog = _catalog(uvl_catalog((IMPORTS / "bike.uvl").read_text(), "bike.uvl"))
    assert catalog.count() == 18
    assert catalog.model.feature("light_set").name == "Light set"
    state = catalog.domains({"carbon": "on"})
    assert state.domains["rack"] == [] and state.domains["bell"] == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("features\n    A\n        alternative\n            B\nconstraints\n    B => Z\n", "x:6: unknown feature 'Z'"),
        ("features\n    A\n        B\n", "x:3: feature 'B' must sit in a group of its parent"),
        ("features\n    A\n    B\n", "x:3: a second root feature 'B'"),
        ("features\n    A\nconstraints\n    A & (A\n", "x:4: a '(' is not closed"),
        ("features\n    A\nconstraints\n    sum(Price) < 3\n", "x:4: cannot read '< 3' (only boolean constraints"),
        ("feature\n", "x:1: unexpected 'feature' at top level"),
        ("namespace A\n", "x: no feature tree under 'features'"),
    ],
)
def test_bad_uvl_is_one_located_line(text: str, message: str) -> None:
    with pytest.raises(ImportFormatError) as error:
        uvl_catalog(text, "x")
    assert str(error.value).startswith(message)


def test_xcsp_tables_with_not_fitted_values() -> None:
    """V1 follows V0 (-1 is "not fitted"), and V0 = 0 excludes V2 = 0: 3 x 3 - 1 = 8."""
    catalog = _catalog(xcsp_catalog((IMPORTS / "tiny.xml").read_text(), "tiny.xml"))
    assert catalog.count() == 8
    assert catalog.model.feature("v1").min == 0
    assert catalog.domains({"v0": "o0"}).domains["v1"] == []
    assert catalog.domains({"v0": "o0"}).domains["v2"] == ["o1", "o2"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("reference=\"R1\"", "reference=\"R9\""), "x:18: constraint 'C1': unknown relation 'R9'"),
        (("domain=\"D1\"", "domain=\"D7\""), "x:9: variable 'V1': unknown domain 'D7'"),
        (("0 -1|1 0|2 1", "0 -1|1|2 1"), "x:13: relation 'R0': tuple '1' has 1 values"),
        (("</constraints>", "</constraint>"), "x:19: not well-formed XML: mismatched tag"),
    ],
)
def test_bad_xcsp_is_one_located_line(change: tuple[str, str], message: str) -> None:
    text = (IMPORTS / "tiny.xml").read_text().replace(*change)
    with pytest.raises(ImportFormatError) as error:
        xcsp_catalog(text, "x")
    assert str(error.value).startswith(message)


def test_unknown_format_and_missing_file() -> None:
    with pytest.raises(ImportFormatError, match="unknown format 'sat'"):
        import_model(IMPORTS / "small.dimacs", "sat")
    with pytest.raises(ImportFormatError, match="cannot read"):
        import_model(IMPORTS / "missing.dimacs", "dimacs")


def test_command_writes_a_catalog_the_loader_accepts(tmp_path: Path, capsys) -> None:
    out = tmp_path / "car.yaml"
    assert main(["catalog", "import", str(IMPORTS / "small.dimacs"), "--format", "dimacs", "-o", str(out)]) == 0
    assert Catalog.from_path(out).count() == 6
    assert "6 features, 9 constraints" in capsys.readouterr().out


def test_command_reports_bad_input_in_one_line(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.cnf"
    bad.write_text("p cnf 2 1\n1 x 0\n")
    assert main(["catalog", "import", str(bad), "--format", "dimacs", "-o", str(tmp_path / "o.yaml")]) == 2
    err = capsys.readouterr().err
    assert err.strip() == f"configurator: error: {bad}:2: 'x' is not a literal"
    assert not (tmp_path / "o.yaml").exists()
