"""`configurator serve` (what `make run` starts): the links in e-mails point to the
address served, unless PUBLIC_URL says otherwise."""

from __future__ import annotations

import os

import pytest
from werkzeug import serving

from configurator import cli_app
from configurator.cli import main


@pytest.fixture
def served(monkeypatch):
    """Run `configurator serve` without serving: the app it would serve."""
    apps = []
    monkeypatch.setattr(serving, "run_simple", lambda host, port, app, **_: apps.append(app))
    monkeypatch.setattr(cli_app, "_warm_catalogs", lambda: None)
    monkeypatch.setenv("PUBLIC_URL", "")  # unset; restored after the test
    return apps


def test_links_point_to_the_port_served(served):
    """`make run PORT=5091` e-mailed confirmation links to http://127.0.0.1:5000."""
    assert main(["serve", "--port", "5091"]) == 0
    assert served[0].config["PUBLIC_URL"] == "http://127.0.0.1:5091"
    assert os.environ["PUBLIC_URL"] == "http://127.0.0.1:5091"  # the worker's, a child process


def test_a_public_url_that_is_set_wins(served, monkeypatch):
    monkeypatch.setenv("PUBLIC_URL", "https://shop.example")
    assert main(["serve", "--host", "0.0.0.0", "--port", "8000"]) == 0
    assert served[0].config["PUBLIC_URL"] == "https://shop.example"
    assert cli_app.served_url("0.0.0.0", 8000) == "https://shop.example"
    monkeypatch.setenv("PUBLIC_URL", "")
    assert cli_app.served_url("0.0.0.0", 8000) == "http://127.0.0.1:8000"
