"""Stateful API fuzzing (issue 13, tests): schemathesis follows the OpenAPI
links of the document (a created configuration to its revisions and orders, an
order to its re-check and reorder) in both databases, with every check."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS as REGISTERED_CHECKS
from schemathesis.checks import load_all_checks
from schemathesis.config import SchemathesisConfig

from configurator.web.database import db
from tests.api.api_factories import gen_token
from tests.helpers import gen_configuration, gen_order
from tests.services.quote_factories import gen_account

load_all_checks()
# Schema-valid is not always acceptable here, and the API says so: a selection
# naming a feature the catalog does not have, or a catalog id nobody released,
# fits the document's types yet is a 422 (docs/api.md); a control character is
# a 400 in a path or query and a 422 in a body (the document's description says
# so; its string schemas do not carry that pattern yet). Those answers are the
# API working, not failing.
CONFIG = SchemathesisConfig.from_dict({"checks": {"positive_data_acceptance": {
    "expected-statuses": ["2xx", "400", "401", "403", "404", "409", "422", "429"]}}})
CHECKS = [check for check in REGISTERED_CHECKS.get_all()
          if getattr(check, "__name__", "") not in ("max_response_time",)]


@pytest.mark.slow
def test_following_the_links_breaks_nothing(app):
    with app.app_context():
        _, user = gen_account(db.session, contact_email="fuzz@example.com")
        gen_configuration(db.session, user)
        gen_order(db.session, user)
        token = gen_token(db.session, user)
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app, config=CONFIG)

    @schema.hook
    def map_query(context, query):
        # A `cursor` is valid only when it came from a `next` link (signed); a
        # generated one is rightly refused, so none is generated
        # (tests/web/test_account_paging.py and the API tests try crafted ones).
        if query:
            query.pop("cursor", None)
        return query

    followed = []

    class Workflow(schema.as_state_machine()):
        def step(self, input):
            if input.transition is not None:  # reached through a link of an earlier answer
                followed.append(input.case.operation.label)
            return super().step(input)

        def get_call_kwargs(self, case):
            return {"headers": {"Authorization": f"Bearer {token}"}}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS, headers=kwargs.get("headers"),
                                   transport_kwargs=kwargs or None)

    Workflow.run(settings=settings(max_examples=15, stateful_step_count=6, deadline=None,
                                   database=None, suppress_health_check=list(HealthCheck)))
    assert followed, "no OpenAPI link was followed"
