"""The language preference reads back through a second session."""

from __future__ import annotations

import pytest

from configurator.services import users
from configurator.services.errors import NotFound
from configurator.store import User
from tests.helpers import gen_user
from tests.services.read_back import reads_back


@reads_back(users.set_locale)
def test_set_locale_is_kept(session, second_session):
    user = gen_user(session)
    users.set_locale(session, user.id, "fa")
    with second_session() as other:
        assert other.get(User, user.id).locale == "fa"


def test_set_locale_of_a_missing_user_is_not_found(session):
    with pytest.raises(NotFound):
        users.set_locale(session, 424242, "vi")
