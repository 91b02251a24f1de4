"""Fuzzing the API with schemathesis against its own OpenAPI document.

Every operation gets generated requests (valid and edge-case input, half of
them with the ids of real records so the happy paths run too), sent in-process
to the app with a valid token (a business customer's; sales' for /staff/). No response may be a 5xx, and every response
must match the document: status code, content type, headers and body schema.
Bounded to 25 examples per operation, no deadline (2 shared cores).
"""

from __future__ import annotations

import pytest
import schemathesis
from api_factories import gen_token
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from configurator.web.api.docs import build_spec
from tests.conftest import DATA
from tests.helpers import gen_configuration, gen_order
from tests.services.quote_factories import BIKE, gen_account, gen_staff

KNOWN: dict[str, object] = {}  # real ids, filled in by `fuzz_target`
TOKENS: dict[str, str] = {}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def fuzz_target(tmp_path_factory):
    """One app for the whole run: the test bike; a business customer with a
    configuration, an order and a sent quote; tokens for them and for sales."""
    from configurator.config import TestConfig
    from configurator.services import catalogs, quotes
    from configurator.store import make_engine
    from configurator.store.migrate import upgrade
    from configurator.web import create_app
    from configurator.web.database import db

    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'fuzz.db'}"
    engine = make_engine(url)
    upgrade(engine)
    app = create_app(TestConfig, {"DATABASE_URL": url, "DATABASE_ENGINE": engine})
    with app.app_context():
        catalogs.load_file(db.session, DATA / "bike.yaml")
        sales = gen_staff(db.session, "staff", "sales@shop.example")
        account, user = gen_account(db.session, contact_email="fuzz@example.com")
        configuration = gen_configuration(db.session, user)
        order = gen_order(db.session, user)
        quote = quotes.drafts.create(db.session, sales, account.id)
        quotes.lines.add_line(db.session, sales, quote.id, "test-bike", BIKE, 2)
        quotes.sending.send(db.session, sales, quote.id)
        TOKENS.update(customer=gen_token(db.session, user), staff=gen_token(db.session, sales))
        KNOWN.update(
            catalog_id="test-bike",
            configuration_id=configuration.id,
            number=order.number,
            quote_id=quote.id,
        )
    yield app
    engine.dispose()


# Loaded when the module is collected: schemathesis makes one test per
# operation from it (its lazy fixture loader does not work with pytest 9). The
# document is built from the registered operations, the same function that
# serves /api/openapi.json (test_api_openapi.py checks they are equal).
schema = schemathesis.openapi.from_dict(build_spec())


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """Half the cases use the ids of real records, so the happy paths run too."""
    if not path_parameters:
        return st.just(path_parameters)
    real = {name: KNOWN.get(name, value) for name, value in path_parameters.items()}
    # /revisions/{number} is a revision number, not an order number.
    if "configuration_id" in path_parameters and "number" in path_parameters:
        real["number"] = 1
    return st.sampled_from([path_parameters, real])


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_errors_and_every_response_matches_the_document(case, fuzz_target):
    # Staff endpoints with the staff token, the rest with the customer's.
    token = TOKENS["staff" if case.operation.path.startswith("/staff/") else "customer"]
    case.call_and_validate(
        app=fuzz_target, headers={"Authorization": f"Bearer {token}"}, checks=CHECKS
    )
