"""What the schemathesis runs check (tests/api/test_api_fuzz.py, stateless;
tests/security/test_api_stateful.py, following the document's links)."""

from __future__ import annotations

from schemathesis.checks import CHECKS as REGISTERED_CHECKS
from schemathesis.checks import load_all_checks
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode

load_all_checks()
# `--checks all`, response time aside (speed is bench/'s).
CHECKS = [check for check in REGISTERED_CHECKS.get_all()
          if getattr(check, "__name__", "") != "max_response_time"]
# Schema-valid is not always acceptable here, and the API says so: a selection
# naming a feature the catalog does not have, or a catalog id nobody released,
# fits the document's types yet is a 422 (docs/api.md); a control character is
# a 400 in a path or query and a 422 in a body (the document's description says
# so; its string schemas do not carry that pattern yet). Those answers are the
# API working, not failing.
CONFIG = SchemathesisConfig.from_dict({"checks": {"positive_data_acceptance": {
    "expected-statuses": ["2xx", "400", "401", "403", "404", "409", "422", "429"]}}})


def drop_cursor(context, case):
    """A schemathesis `map_case` hook: no generated `cursor` in a case meant to
    be valid, since only one from a `next` link is (it is signed); crafted ones
    are tested in tests/web/test_account_paging.py and the API tests. A case
    meant to be invalid keeps its cursor: it must be refused."""
    meta = case.meta
    if meta is not None and meta.generation.mode == GenerationMode.POSITIVE and case.query:
        case.query.pop("cursor", None)
    return case
