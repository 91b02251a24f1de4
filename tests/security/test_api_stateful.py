"""Stateful API fuzzing (issue 13, tests): schemathesis follows the OpenAPI
links of the document (a created configuration to its revisions and orders, an
order to its re-check and reorder) in both databases, with every check."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from configurator.web.database import db
from tests.api.api_factories import gen_token
from tests.api.fuzz_config import CHECKS, CONFIG, drop_cursor
from tests.helpers import gen_configuration, gen_order
from tests.services.quote_factories import gen_account


@pytest.mark.slow
def test_following_the_links_breaks_nothing(app):
    with app.app_context():
        _, user = gen_account(db.session, contact_email="fuzz@example.com")
        gen_configuration(db.session, user)
        gen_order(db.session, user)
        token = gen_token(db.session, user)
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app, config=CONFIG)

    schema.hook("map_case")(drop_cursor)
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
