"""Fuzzing every HTML form route (issue 13, tests): control characters, huge
numbers, deep structures and long strings in every field any view or form
reads, posted by a customer and by an administrator, on SQLite and
PostgreSQL: refusals are 4xx, never a 5xx.

The routes come from `app.url_map` and the field names from the web package's
source (every `request.form.get("...")` and every form class's fields), so a
new route or field is fuzzed without editing this file.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from configurator.services import quotes
from configurator.web.database import db
from tests.helpers import gen_configuration, gen_order, gen_user
from tests.services.quote_factories import BIKE, gen_account, gen_staff

WEB = Path(__file__).resolve().parents[2] / "configurator" / "web"
HOSTILE_VALUES = {
    "control": "a\x00b\x1b[31m\x7f",
    "huge-number": "9" * 400,
    "negative": "-99999999999999999999",
    "float-ish": "1e309",
    "deep": "[" * 500 + "]" * 500,
    "long": "x" * 20_000,
    "unicode": "\u202e\ud7ff\ufffd" * 50,
}
# Field names shaped like nested structures (what a deep-merge parser would nest).
DEEP_NAMES = ["f." + ".".join(["frame"] * 200), "f.frame[0][0][0][0]", "a" * 5000]


def form_fields() -> list[str]:
    """Every field name the web package reads from a posted form or query."""
    names = {"f.frame", "f.brakes", "f.extras", "shown.frame", "next", "name", "email",
             "password", "confirm", "country", "reason", "q", "cursor"}
    for path in WEB.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        names.update(re.findall(r"request\.(?:form|values|args)\.get(?:list)?\(\"([^\"]+)\"",
                                source))
        if path.name == "forms.py":
            for node in ast.walk(ast.parse(source)):
                if isinstance(node, ast.ClassDef):
                    names.update(target.id for statement in node.body
                                 if isinstance(statement, ast.Assign)
                                 for target in statement.targets if isinstance(target, ast.Name))
    return sorted(names)


@pytest.fixture
def world(app):
    """A customer with a configuration and an order, an admin, and a sent quote."""
    with app.app_context():
        anna = gen_user(db.session, "anna@example.com", name="Anna")
        configuration = gen_configuration(db.session, anna)
        order = gen_order(db.session, anna)
        gen_staff(db.session, "admin", "admin@shop.example")
        seller = gen_staff(db.session, "staff", "staff@shop.example")
        acme, _ = gen_account(db.session, contact_email="buyer@acme.example")
        quote = quotes.drafts.create(db.session, seller, acme.id)
        quotes.lines.add_line(db.session, seller, quote.id, "test-bike", BIKE, 1)
        return {"configuration_id": configuration.id, "number": order.number,
                "quote_id": quote.id, "account_id": acme.id, "catalog_id": "test-bike"}


def urls(app, world) -> list[str]:
    """Every non-API URL that takes a POST, with its parts filled from the world
    (an unknown part gets 1: a 404 is a fine answer too)."""
    found = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.rule.startswith("/api"):
            continue
        values = {name: world.get(name, 1) for name in rule.arguments}
        found.append(rule.build(values, append_unknown=False)[1])
    return sorted(found)


@pytest.mark.slow
@pytest.mark.parametrize("email", ["anna@example.com", "admin@shop.example"])
def test_no_form_route_answers_hostile_input_with_a_5xx(app, client, world, email):
    assert client.post("/auth/signin", data={"email": email, "password": "password123"}
                       ).status_code == 302
    fields = form_fields()
    failures = []
    for url in urls(app, world):
        if url.endswith(("/signout", "/signout-everywhere", "/erase")):
            continue  # would end the fuzzing session
        payloads = {kind: {name: value for name in fields}
                    for kind, value in HOSTILE_VALUES.items()}
        payloads["deep-names"] = {name: "1" for name in DEEP_NAMES}
        for kind, data in payloads.items():
            failure = post(client, url, data)
            if failure:
                failures.append((url, kind, failure))
    assert failures == []


def post(client, url, data) -> str | None:
    """What went wrong (a 5xx or the exception the test app lets through), or None."""
    try:
        status = client.post(url, data=data).status_code
    except Exception as error:  # TESTING re-raises what would be a 500
        return f"{type(error).__name__}: {str(error)[:200]}"
    return f"status {status}" if status >= 500 else None
