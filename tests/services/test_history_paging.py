"""History lists page by page (configurations, orders, revisions, timeline),
renaming a configuration, and the history benchmark's loader and queries."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from configurator.services import orders, paging, timeline
from configurator.services.configuring import configurations
from configurator.services.configuring.configurations import NAME_MAX, InvalidName
from configurator.services.errors import NotFound
from configurator.services.paging import InvalidCursor
from configurator.store.models import Configuration, Interaction
from tests.conftest import DATA
from tests.helpers import COMPLETE_BIKE, STEEL_BIKE, gen_configuration, gen_user

START = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)


def gen_configurations_at(session, owner, moments):
    """One configuration per moment, saved at that moment (ties allowed)."""
    return [
        configurations.create(session, owner, "test-bike", f"Bike {i}", COMPLETE_BIKE, now=moment)
        for i, moment in enumerate(moments)
    ]


def tied_moments(count, per_tie=3):
    """`count` times, `per_tie` of them equal each, microseconds included."""
    return [START + timedelta(seconds=i // per_tie, microseconds=7) for i in range(count)]


def walk_older(fetch):
    """Every page from the first by `next_cursor`; returns the pages."""
    pages = [fetch(None)]
    while pages[-1].next_cursor:
        pages.append(fetch(pages[-1].next_cursor))
        assert len(pages) < 100, "paging does not end"
    return pages


def ids(page):
    return [row.configuration.id for row in page.items]


# ------------------------------------------------------------ configurations


def test_pages_of_configurations_cover_every_row_once_in_order_despite_ties(session, bike):
    owner = gen_user(session)
    made = gen_configurations_at(session, owner, tied_moments(45))
    expected = [c.id for c in sorted(made, key=lambda c: (c.updated_at, c.id), reverse=True)]

    pages = walk_older(lambda cursor: configurations.page_for(session, owner, cursor=cursor))

    assert [len(page.items) for page in pages] == [20, 20, 5]
    assert [i for page in pages for i in ids(page)] == expected
    assert pages[0].previous_cursor is None and pages[-1].next_cursor is None
    assert all(page.has_more for page in pages[:-1]) and not pages[-1].has_more


def test_newer_links_lead_back_through_the_same_pages(session, bike):
    owner = gen_user(session)
    gen_configurations_at(session, owner, tied_moments(45, per_tie=5))
    older = walk_older(lambda cursor: configurations.page_for(session, owner, cursor=cursor))

    back = [older[-1]]
    while back[-1].previous_cursor:
        back.append(configurations.page_for(session, owner, cursor=back[-1].previous_cursor))

    assert [ids(page) for page in reversed(back)] == [ids(page) for page in older]
    assert back[-1].previous_cursor is None


@pytest.mark.parametrize(("count", "sizes"), [(0, [0]), (1, [1]), (20, [20]), (21, [20, 1])])
def test_page_boundaries(session, bike, count, sizes):
    owner = gen_user(session)
    gen_configurations_at(session, owner, tied_moments(count))
    pages = walk_older(lambda cursor: configurations.page_for(session, owner, cursor=cursor))
    assert [len(page.items) for page in pages] == sizes
    assert pages[-1].next_cursor is None


def test_a_configuration_saved_while_paging_neither_repeats_nor_hides_a_row(session, bike):
    owner = gen_user(session)
    made = gen_configurations_at(session, owner, tied_moments(30))
    first = configurations.page_for(session, owner)
    gen_configurations_at(session, owner, [START + timedelta(days=1)])  # now the newest
    second = configurations.page_for(session, owner, cursor=first.next_cursor)
    assert set(ids(first)).isdisjoint(ids(second))
    assert set(ids(first)) | set(ids(second)) == {c.id for c in made}


def test_a_revision_moves_a_configuration_to_the_first_page(session, bike):
    owner = gen_user(session)
    made = gen_configurations_at(session, owner, tied_moments(25))
    oldest = made[0]
    configurations.revise(session, owner, oldest.id, 1, STEEL_BIKE, now=START + timedelta(days=2))
    first = configurations.page_for(session, owner)
    assert ids(first)[0] == oldest.id
    assert first.items[0].latest.number == 2  # the row shows the newest revision


def test_nobody_sees_another_customers_configurations(session, bike):
    owner, other = gen_user(session), gen_user(session)
    gen_configurations_at(session, owner, tied_moments(3))
    page = configurations.page_for(session, other)
    assert page.items == [] and page.next_cursor is None and page.previous_cursor is None


def test_page_size_is_kept_within_bounds(session, bike):
    owner = gen_user(session)
    gen_configurations_at(session, owner, tied_moments(5))
    assert len(configurations.page_for(session, owner, size=2).items) == 2
    assert len(configurations.page_for(session, owner, size=0).items) == 5
    assert paging.page_size(10_000) == paging.MAX_PAGE_SIZE


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        "",  # an empty ?cursor= is the first page, see below
        paging.encode(paging.OLDER, (3,)),  # a revision-list cursor: wrong shape
        paging.encode(paging.OLDER, ("yesterday", 3)),
        paging.encode(paging.OLDER, (START.replace(tzinfo=None), 3)),  # no time zone
        paging.encode(paging.OLDER, (START, "3")),
        paging.encode("sideways", (START, 3)),
    ],
)
def test_a_cursor_we_did_not_make_is_refused_with_a_clear_message(session, bike, cursor):
    owner = gen_user(session)
    gen_configurations_at(session, owner, tied_moments(3))
    if cursor == "":
        assert len(configurations.page_for(session, owner, cursor=cursor).items) == 3
        return
    with pytest.raises(InvalidCursor, match="not valid any more"):
        configurations.page_for(session, owner, cursor=cursor)


# -------------------------------------------------------------------- orders


def test_orders_page_newest_first_with_ties(session, bike):
    owner, other = gen_user(session), gen_user(session)
    made = gen_configurations_at(session, owner, tied_moments(23))
    placed = [
        orders.place(session, owner, c.id, now=START + timedelta(hours=i // 4))
        for i, c in enumerate(made)
    ]
    orders.place(session, other, gen_configuration(session, other).id)
    expected = [o.number for o in sorted(placed, key=lambda o: (o.created_at, o.id), reverse=True)]

    pages = walk_older(lambda cursor: orders.page_for(session, owner, cursor=cursor))

    assert [len(page.items) for page in pages] == [20, 3]
    assert [o.number for page in pages for o in page.items] == expected


# ----------------------------------------------------------------- revisions


def test_revisions_page_newest_first(session, bike):
    owner = gen_user(session)
    configuration = gen_configuration(session, owner)
    for base in range(1, 25):
        configurations.revise(
            session, owner, configuration.id, base, STEEL_BIKE if base % 2 else COMPLETE_BIKE
        )
    pages = walk_older(
        lambda cursor: configurations.revision_page(session, owner, configuration.id, cursor=cursor)
    )
    assert [[r.number for r in page.items] for page in pages] == [
        list(range(25, 5, -1)),
        list(range(5, 0, -1)),
    ]
    back = configurations.revision_page(
        session, owner, configuration.id, cursor=pages[1].previous_cursor
    )
    assert [r.number for r in back.items] == list(range(25, 5, -1))


def test_revisions_are_for_the_owner_and_staff_only(session, bike):
    owner, other = gen_user(session), gen_user(session)
    staff = gen_user(session, role="staff")
    configuration = gen_configuration(session, owner)
    configurations.revise(session, owner, configuration.id, 1, STEEL_BIKE)
    cursor = configurations.revision_page(session, owner, configuration.id, size=1).next_cursor
    for cursor_or_none in (None, cursor):
        with pytest.raises(NotFound):
            configurations.revision_page(session, other, configuration.id, cursor=cursor_or_none)
    with pytest.raises(NotFound):
        configurations.revision_page(session, owner, 999_999)
    assert [r.number for r in configurations.revision_page(session, staff, configuration.id).items]
    past_the_end = paging.encode(paging.OLDER, (1,))
    assert (
        configurations.revision_page(session, owner, configuration.id, cursor=past_the_end).items
        == []
    )


# ------------------------------------------------------------------ timeline


def test_timeline_pages_with_ties_and_for_the_customer_or_staff_only(session, bike):
    owner, other = gen_user(session), gen_user(session)
    staff = gen_user(session, role="staff")
    for i in range(40):
        timeline.record(session, owner.id, "viewed", f"view {i}", now=START + timedelta(i // 8))
    session.commit()
    expected = list(
        session.scalars(
            sa.select(Interaction.id)
            .where(Interaction.customer_id == owner.id)
            .order_by(Interaction.created_at.desc(), Interaction.id.desc())
        )
    )
    pages = walk_older(lambda cursor: timeline.page_for(session, owner, owner.id, cursor=cursor))
    assert [event.id for page in pages for event in page.items] == expected
    assert len(expected) == 41  # 40 views and the sign-up
    with pytest.raises(NotFound):
        timeline.page_for(session, other, owner.id)
    assert timeline.page_for(session, staff, owner.id).items


# -------------------------------------------------------------------- rename


def test_rename_changes_the_name_only_and_notes_it_on_the_timeline(session, bike):
    owner = gen_user(session)
    configuration = gen_configuration(session, owner, name="Commuter")
    updated_at = configuration.updated_at

    renamed = configurations.rename(session, owner, configuration.id, "  Winter \t commuter ")

    session.expire_all()
    stored = session.get(Configuration, configuration.id)
    assert renamed.name == stored.name == "Winter commuter"
    assert stored.revision_count == 1 and stored.updated_at == updated_at  # not a revision
    event = timeline.page_for(session, owner, owner.id).items[0]
    assert event.kind == "renamed" and timeline.describe(event.kind) == "Renamed a configuration"
    assert event.detail == {
        "configuration_id": configuration.id,
        "from": "Commuter",
        "to": "Winter commuter",
        # the subject as a phrase, for the timeline page in the reader's language
        "subject_phrase": {"template": "%(old)s \u2192 %(new)s",
                           "values": {"old": "Commuter", "new": "Winter commuter"}},
    }


def test_renaming_to_the_same_name_records_nothing(session, bike):
    owner = gen_user(session)
    configuration = gen_configuration(session, owner, name="Commuter")
    configurations.rename(session, owner, configuration.id, " Commuter ")
    kinds = [e.kind for e in timeline.page_for(session, owner, owner.id).items]
    assert "renamed" not in kinds


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Give the configuration a name."),
        ("   \n ", "Give the configuration a name."),
        ("x" * (NAME_MAX + 1), f"at most {NAME_MAX} characters; this one has {NAME_MAX + 1}"),
        ("Bell\x07", "control characters"),
    ],
)
def test_a_bad_name_is_refused_and_nothing_changes(session, bike, name, message):
    owner = gen_user(session)
    configuration = gen_configuration(session, owner, name="Commuter")
    with pytest.raises(InvalidName, match=message):
        configurations.rename(session, owner, configuration.id, name)
    session.rollback()
    session.expire_all()
    assert session.get(Configuration, configuration.id).name == "Commuter"
    assert "renamed" not in [e.kind for e in timeline.page_for(session, owner, owner.id).items]


def test_the_longest_allowed_name_is_kept_whole(session, bike):
    owner = gen_user(session)
    configuration = gen_configuration(session, owner)
    name = "y" * NAME_MAX
    assert configurations.rename(session, owner, configuration.id, name).name == name


@pytest.mark.parametrize("role", ["customer", "staff"])
def test_nobody_else_can_rename(session, bike, role):
    owner, someone = gen_user(session), gen_user(session, role=role)
    configuration = gen_configuration(session, owner, name="Commuter")
    with pytest.raises(NotFound):
        configurations.rename(session, someone, configuration.id, "Mine now")
    with pytest.raises(NotFound):
        configurations.rename(session, owner, 999_999, "Nothing")


# ----------------------------------------------------------------- benchmark


@pytest.mark.postgresql_only  # the benchmark loads with PostgreSQL's COPY
def test_the_history_benchmark_loads_and_measures_a_small_history(backend, db_engine):
    """bench/history.py at a few hundred rows, so it cannot rot."""
    from bench import history
    from configurator.store import session_factory

    stats = history.load(db_engine, 30, 300, seed=3, catalog_paths=[DATA / "bike.yaml"])
    measured = history.measure(db_engine, samples=10)

    assert stats.rows["users"] == 30 and stats.rows["configurations"] == 300
    assert stats.rows["revisions"] >= 300 and stats.rows["interactions"] > 330
    calls, sql = measured.calls.summary(), measured.sql.summary()
    for name in ("my configurations", "my orders", "timeline", "revisions"):
        assert calls[f"{name}, first page"]["calls"] == sql[f"{name}, first page"]["calls"] == 10
        assert 0 < sql[f"{name}, first page"]["p50_ms"] <= calls[f"{name}, first page"]["p50_ms"]
    # At this size the planner may well scan the tables; only the plans' presence is checked.
    assert measured.plans and all("Execution Time" in p for p in measured.plans.values())
    table, _ok = history.report(stats, measured)
    assert "| timeline, first page | 10 |" in table
    with session_factory(db_engine)() as session:
        busiest_id = history.busiest(session, 1)[0]
        busiest = session.get(history.User, busiest_id)
        count = session.scalar(
            sa.select(sa.func.count())
            .select_from(Configuration)
            .where(Configuration.owner_id == busiest_id)
        )
        pages = walk_older(lambda cursor: configurations.page_for(session, busiest, cursor=cursor))
        assert sum(len(page.items) for page in pages) == count > 20
        assert len({i for page in pages for i in ids(page)}) == count
