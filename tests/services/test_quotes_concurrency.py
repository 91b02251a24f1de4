"""Many staff creating quotes at the same moment on PostgreSQL: every number is
unique and the numbers of the year have no gaps."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from configurator.services import quotes
from configurator.store import User, session_factory
from tests.services.quote_factories import gen_account, gen_staff

CREATORS = 8
QUOTES_EACH = 5


@pytest.mark.postgresql_only  # SQLite serialises every writer, so there is no race to test
def test_concurrent_creators_get_unique_gapless_numbers(backend, db_engine, session, bike):
    account, _ = gen_account(session)
    staff_ids = [gen_staff(session, "staff", f"s{i}@shop.example").id for i in range(CREATORS)]
    now = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    make = session_factory(db_engine)
    start = threading.Barrier(CREATORS)
    numbers: list[str] = []
    errors: list[BaseException] = []

    def create_quotes(staff_id: int) -> None:
        with make() as own:
            staff = own.get(User, staff_id)
            start.wait()
            try:
                for _ in range(QUOTES_EACH):
                    numbers.append(quotes.drafts.create(own, staff, account.id, now=now).number)
            except Exception as error:  # noqa: BLE001  (reported by the main thread)
                errors.append(error)

    threads = [threading.Thread(target=create_quotes, args=(i,)) for i in staff_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    expected = [f"Q-2026-{n:05d}" for n in range(1, CREATORS * QUOTES_EACH + 1)]
    assert sorted(numbers) == expected
