"""Fuzzing the API with schemathesis against its own OpenAPI document (cart included).

Every operation gets generated requests (valid and edge-case input, half of
them with the ids of real records so the happy paths run too), sent in-process
to the app with a valid token (a business customer's; sales' for /staff/). No response may be a 5xx, and every response
must match the document: status code, content type, headers and body schema;
and every other check schemathesis has (`--checks all`: valid data accepted,
invalid rejected, authentication enforced, deleted things gone...), see
tests/api/fuzz_config.py.
On SQLite and, when TEST_DATABASE_URL is set, PostgreSQL.
Bounded to 25 examples per operation, no deadline (2 shared cores).
"""

from __future__ import annotations

import itertools

import pytest
import schemathesis
from api_factories import gen_token
from hypothesis import HealthCheck, settings
from schemathesis.generation import GenerationMode
from schemathesis.generation.meta import ParameterLocation

from configurator.web.api.docs import build_spec
from tests.api.fuzz_config import CHECKS, CONFIG, drop_cursor
from tests.conftest import DATA, PG_URL, fresh_database_url
from tests.helpers import gen_configuration, gen_order
from tests.services.quote_factories import BIKE, gen_account, gen_staff

KNOWN: dict[str, object] = {}  # real ids, filled in by `fuzz_target`
TOKENS: dict[str, str] = {}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"] if PG_URL else ["sqlite"])
def fuzz_target(request, tmp_path_factory):
    """One app per database for the whole run: the test bike; a business
    customer with a configuration, an order and a sent quote; tokens for them
    and for sales."""
    with fresh_database_url(request.param, tmp_path_factory.mktemp("fuzz")) as url:
        yield from _fuzz_app(url)


def _fuzz_app(url):
    from configurator.config import TestConfig
    from configurator.services import cart, catalogs, quotes
    from configurator.store import make_engine
    from configurator.store.migrate import upgrade
    from configurator.web import create_app
    from configurator.web.database import db

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
        line = cart.add(db.session, user, configuration.id)
        TOKENS.update(customer=gen_token(db.session, user), staff=gen_token(db.session, sales))
        KNOWN.update(
            catalog_id="test-bike",
            configuration_id=configuration.id,
            number=order.number,
            quote_id=quote.id,
            line_id=line.id,  # the customer's cart line
        )
    yield app
    engine.dispose()


# Loaded when the module is collected: schemathesis makes one test per
# operation from it (its lazy fixture loader does not work with pytest 9). The
# document is built from the registered operations, the same function that
# serves /api/openapi.json (test_api_openapi.py checks they are equal).
schema = schemathesis.openapi.from_dict(build_spec(), config=CONFIG)


@schema.hook
def map_case(context, case):
    """Half the cases meant to be valid use the ids of real records, so the
    happy paths run too (a case meant to be invalid keeps its bad id: it must
    be refused); none has a generated `cursor` (see fuzz_config.drop_cursor)."""
    case = drop_cursor(context, case)
    meta = case.meta
    if (case.path_parameters and meta is not None
            and meta.generation.mode == GenerationMode.POSITIVE and next(_REAL)):
        real = {name: KNOWN.get(name, value) for name, value in case.path_parameters.items()}
        # /revisions/{number} is a revision number, not an order number.
        if "configuration_id" in real and "number" in real:
            real["number"] = 1
        case.path_parameters = real
    return case


_REAL = itertools.cycle((True, False))


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
    # The app also for the checks that send the request again (ignored_auth, use_after_free...).
    case.operation.schema.app = fuzz_target
    headers = {} if _leaves_out_authorization(case) else {"Authorization": f"Bearer {token}"}
    case.call_and_validate(app=fuzz_target, headers=headers, checks=CHECKS)


def _leaves_out_authorization(case) -> bool:
    """A case meant to be invalid in its headers by having no Authorization: adding
    the token would make it valid, and its 200 would count as invalid data accepted."""
    meta = case.meta
    return (meta is not None and meta.is_negative_at(ParameterLocation.HEADER)
            and "authorization" not in {name.lower() for name in (case.headers or {})})
