"""`configurator catalog ...` as spec section 4 writes it: outputs, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from configurator.cli import main

BIKE = str(Path(__file__).parent / "engine" / "data" / "api-bike.yaml")


def run(capsys, *argv):
    """Run the command in-process; returns (exit status, stdout, stderr)."""
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_check_usable_catalog(capsys):
    status, out, _ = run(capsys, "catalog", "check", BIKE, "--json")
    report = json.loads(out)
    assert status == 0
    assert report["usable"] is True and isinstance(report["count"], int) and report["count"] > 0
    assert report["dead_options"] == []


def test_check_reports_every_problem_with_location(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        Path(BIKE).read_text().replace("then: brakes in [disc_hydraulic]", "then: brakes in [disc_cable]")
        .replace("if: extras == rack", "if: extrass == rack")
    )
    status, out, _ = run(capsys, "catalog", "check", str(bad))
    assert status == 1
    assert "disc_cable" in out and "carbon-needs-disc" in out and str(bad) in out
    assert "extrass" in out


def test_check_counts_dead_options(tmp_path, capsys):
    dead = tmp_path / "dead.yaml"
    dead.write_text(Path(BIKE).read_text() + "  - id: no-lights\n    forbid: extras == lights\n")
    status, out, _ = run(capsys, "catalog", "check", str(dead), "--json")
    assert status == 0
    assert json.loads(out)["dead_options"] == ["extras=lights"]


def test_domains_json(capsys):
    status, out, _ = run(capsys, "catalog", "domains", BIKE, "--select", "frame=carbon", "--json")
    data = json.loads(out)
    assert status == 0
    assert data["consistent"] is True and data["complete"] is False
    assert data["domains"]["size"] == ["m", "l"]
    assert list(data["domains"]) == [
        "frame", "brakes", "size", "extras", "packaging", "delivery", "billing", "insurance"
    ]
    assert sorted(data["may_be_empty"]) == ["extras", "insurance"]


def test_domains_multi_select_and_customer(capsys):
    status, out, _ = run(
        capsys, "catalog", "domains", BIKE, "--select", "extras=bell", "--select", "extras=lights",
        "--customer", "segment=consumer", "--json",
    )
    data = json.loads(out)
    assert status == 0
    assert data["domains"]["billing"] == ["card"]
    assert data["domains"]["extras"] == ["bell", "lights"]


def test_domains_inconsistent_carries_conflict(capsys):
    status, out, _ = run(capsys, "catalog", "domains", BIKE, "--select", "frame=carbon", "--select", "size=s", "--json")
    data = json.loads(out)
    assert status == 0 and data["consistent"] is False
    assert all(v == [] for v in data["domains"].values())
    assert sorted(data["conflict"]["selections"]) == ["frame=carbon", "size=s"]


def test_explain_json(capsys):
    status, out, _ = run(capsys, "catalog", "explain", BIKE, "--option", "size=s", "--select", "frame=carbon", "--json")
    assert status == 0
    assert json.loads(out) == {
        "option": "size=s",
        "possible": False,
        "because": {
            "selections": ["frame=carbon"],
            "constraints": [{"id": "sizes", "message": "Not every frame is made in every size."}],
        },
    }


def test_complete_json(capsys):
    status, out, _ = run(capsys, "catalog", "complete", BIKE, "--select", "frame=carbon", "--json")
    data = json.loads(out)
    assert status == 0
    assert data["price"] == "755.00" and data["selections"]["brakes"] == "disc_hydraulic"


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["catalog", "domains", BIKE, "--select", "frame=steel", "--json"], "unknown option 'steel'"),
        (["catalog", "domains", BIKE, "--select", "wheel=x", "--json"], "unknown feature 'wheel'"),
        (["catalog", "domains", BIKE, "--select", "frame", "--json"], "--select expects"),
        (["catalog", "explain", BIKE, "--option", "size=xl", "--json"], "unknown option 'xl'"),
        (["catalog", "complete", "missing.yaml", "--json"], "missing.yaml: no such file"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, argv, fragment):
    status, out, err = run(capsys, *argv)
    assert status == 2
    assert fragment in err and err.count("\n") == 1 and "Traceback" not in err
    assert out == ""


@pytest.mark.parametrize("command", ["check", "domains", "explain", "complete"])
def test_unreadable_catalog_is_exit_2(tmp_path, capsys, command):
    broken = tmp_path / "broken.yaml"
    broken.write_text("catalog: x\nfeatures: [unclosed\n")
    extra = ["--option", "a=b"] if command == "explain" else []
    status, _, err = run(capsys, "catalog", command, str(broken), *extra, "--json")
    assert status == 2 and "broken.yaml" in err and err.count("\n") == 1


@pytest.mark.parametrize("command", ["check", "domains"])
def test_malformed_rule_is_exit_2(tmp_path, capsys, command):
    broken = tmp_path / "rule.yaml"
    broken.write_text(Path(BIKE).read_text().replace("if: frame == carbon", "if: frame == == carbon"))
    status, _, err = run(capsys, "catalog", command, str(broken), "--json")
    assert status == 2 and "carbon-needs-disc" in err and err.count("\n") == 1


DEMO = Path(__file__).resolve().parents[1] / "catalog"


def test_check_warns_about_a_missing_image_and_stays_usable(tmp_path, capsys):
    """Issue 14: a missing layer file is a warning (the picture goes without it), never a problem."""
    text = (DEMO / "city-bike.yaml").read_text()
    (tmp_path / "city-bike.yaml").write_text(text)
    status, out, _ = run(capsys, "catalog", "check", str(tmp_path / "city-bike.yaml"), "--json")
    report = json.loads(out)
    assert status == 0 and report["usable"] is True
    missing = [w for w in report["warnings"] if "not found" in w]
    assert len(missing) == text.count("image: pictures/") and missing
    assert all(w.startswith(f"{tmp_path / 'city-bike.yaml'}: feature '") for w in missing)
    assert not any("image" in problem for problem in report["problems"])
    status, out, _ = run(capsys, "catalog", "check", str(tmp_path / "city-bike.yaml"))
    assert status == 0 and "image 'pictures/" in out and "(the picture is drawn without it)" in out


def test_check_of_the_demo_catalogs_finds_every_image(capsys):
    for name in ("city-bike.yaml", "coffee-subscription.yaml"):
        status, out, _ = run(capsys, "catalog", "check", str(DEMO / name), "--json")
        assert status == 0
        assert [w for w in json.loads(out)["warnings"] if "not found" in w] == []


def test_check_of_a_stored_catalog_imports_no_compiler_library(tmp_path):
    """`catalog check` of a catalog compiled before reads its stored form: networkx (the tree
    decomposition), OR-tools and the MaxSAT solver are not imported, which kept a third of its start-up."""
    demo = str(Path(__file__).resolve().parent.parent / "catalog" / "city-bike.yaml")
    env = {**os.environ, "CONFIGURATOR_COMPILED_DIR": str(tmp_path / "compiled")}
    script = (
        "import sys\nfrom configurator.cli import main\n"
        f"status = main(['catalog', 'check', {demo!r}, '--json'])\n"
        "heavy = [m for m in ('networkx', 'ortools', 'pandas', 'pysat.examples.rc2') if m in sys.modules]\n"
        "print('IMPORTED', status, ','.join(heavy) or '-')\n"
    )
    first = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    assert first.stdout.strip().endswith("IMPORTED 0 networkx")  # the first check compiles, and keeps it
    again = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    assert again.stdout.strip().endswith("IMPORTED 0 -")


def test_check_of_a_cp_sat_catalog_names_its_backend_and_its_exact_count(tmp_path, monkeypatch, capsys):
    """The city bike with a price ceiling goes to CP-SAT; its check printed a traceback (no tree width, no backend)."""
    from bench.numeric import city_bike_with_a_ceiling

    monkeypatch.setenv("CONFIGURATOR_COMPILED_DIR", str(tmp_path / "compiled"))
    path = tmp_path / "city-bike-ceiling.yaml"
    path.write_text(city_bike_with_a_ceiling())
    for _first_and_read_back in range(2):
        status, out, _ = run(capsys, "catalog", "check", str(path))
        assert status == 0
        assert "backend: CP-SAT" in out and f"{path}: 835319938 complete valid configurations" in out
    kept = sorted(p.name.startswith("shape-") for p in (tmp_path / "compiled").glob("*.count"))
    assert kept == [False, True]  # once: by the text's fingerprint, and by its shape for its drafts


def test_check_takes_the_same_route_and_says_the_same_whatever_the_hash_seed(tmp_path):
    """Two processes with different string hashing compile the city bike into the same bytes, make the
    same SAT calls in `catalog check` and print the same report: the feature order of the running totals
    came from Cuthill-McKee over a graph of feature ids, whose ties followed a set of strings."""
    demo = str(Path(__file__).resolve().parent.parent / "catalog" / "city-bike.yaml")
    script = (
        "from configurator.engine import sat\n"
        "calls = []\n"
        "asked = sat.SatEncoding.satisfiable\n"
        "def satisfiable(self, assumptions):\n"
        "    answer = asked(self, assumptions)\n"
        "    calls.append((len(assumptions), answer))\n"
        "    return answer\n"
        "sat.SatEncoding.satisfiable = satisfiable\n"
        "from configurator.cli import main\n"
        f"main(['catalog', 'check', {demo!r}, '--json'])\n"
        "print(calls)\n"
    )
    runs = []
    for seed in ("1", "2"):
        compiled = tmp_path / f"compiled-{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed, "CONFIGURATOR_COMPILED_DIR": str(compiled)}
        done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
        report_line, route = done.stdout.strip().splitlines()
        report = json.loads(report_line)
        report["stats"] = {k: v for k, v in report["stats"].items() if not k.endswith("seconds")}
        (stored,) = compiled.glob("*.compiled")
        runs.append((report, route, stored.read_bytes()))
    (report_1, route_1, stored_1), (report_2, route_2, stored_2) = runs
    assert report_1 == report_2 and report_1["usable"]
    assert route_1 == route_2 and route_1 != "[]"
    assert stored_1 == stored_2
