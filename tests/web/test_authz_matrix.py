"""Authorization matrix: every route of the app's URL map that names an object
is tried by every kind of person (owner, another customer, a guest, a client
contact, another business account's contact, and each staff role), with GET
and POST (pages) or its own method (API, with a personal token). Whoever is not
allowed gets a 404, 403, 401 or the sign-in page, never the object, and the
database is exactly as before.

The matrix is read from `app.url_map`, so a new route cannot be forgotten: a
route that is neither in OBJECT_ROUTES nor in PUBLIC_ROUTES / LIST_ROUTES fails
`test_every_route_is_in_the_matrix`. To add a route, add one line to
OBJECT_ROUTES: who may succeed, and which world object fills each URL part.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from configurator.services import api_tokens, cart, guest_carts, quotes, workbench
from configurator.services.identify import merging
from configurator.services.messages import outbox
from configurator.services.offers import campaigns
from configurator.store import Base
from configurator.store.deliveries import Delivery
from configurator.store.quotes import AccountContact, PriceListEntry, QuoteLineRecord
from configurator.web.database import db
from tests.conftest import DATA
from tests.helpers import COMPLETE_BIKE, gen_configuration, gen_order, gen_user
from tests.services.quote_factories import BIKE, gen_account, gen_staff

# ------------------------------------------------------------------ who

OWNER = "owner"  # Anna, a consumer: her configurations, orders and tokens
OTHER_CUSTOMER = "other_customer"  # Mallory, another consumer
CONTACT = "contact"  # the buyer of ACME, the business account the quotes are for
OTHER_BUSINESS = "other_business"  # the buyer of Other GmbH
GUEST = "guest"
STAFF, MANAGER, ADMIN = "staff", "manager", "admin"
DIRECTOR = "director"  # approves quotes beyond a manager's limits, after the manager
CATALOG_MANAGER = "catalog_manager"  # keeps the catalogs; not a seller
SELLERS = frozenset({STAFF, MANAGER, DIRECTOR, ADMIN})
CATALOG_READERS = SELLERS | {CATALOG_MANAGER}
EVERYONE = (
    OWNER, OTHER_CUSTOMER, CONTACT, OTHER_BUSINESS, GUEST, STAFF, MANAGER, DIRECTOR, ADMIN,
    CATALOG_MANAGER,
)
EMAILS = {
    OWNER: "anna@example.com",
    OTHER_CUSTOMER: "mallory@example.com",
    CONTACT: "buyer@acme.example",
    OTHER_BUSINESS: "buyer@other.example",
    STAFF: "staff@shop.example",
    MANAGER: "manager@shop.example",
    ADMIN: "admin@shop.example",
    DIRECTOR: "director@shop.example",
    CATALOG_MANAGER: "catalogs@shop.example",
}


@dataclass(frozen=True)
class ObjectRoute:
    """Who may succeed on a route, and which world objects fill its URL parts.

    `readers` may succeed with GET, `writers` with any other method; nothing
    is asserted for them, except that `works_for` gets a 200 on GET: proof that
    the URL names a real object. Everyone else must be refused, with the
    database unchanged.
    """

    readers: frozenset[str]
    writers: frozenset[str]
    args: dict[str, str] = field(default_factory=dict)  # URL part -> world key
    works_for: str | None = None
    query: str = ""  # e.g. "?a=1&b=1", so that refusals are not just form errors
    body: dict | None = None  # the API's JSON body, valid so that only authorization refuses


def route(
    *allowed: str,
    readers: tuple[str, ...] | frozenset[str] = (),
    works_for: str | None = None,
    query: str = "",
    body: dict | None = None,
    **args: str,
) -> ObjectRoute:
    """`allowed` may read and write; `readers` may only read (GET)."""
    return ObjectRoute(
        frozenset(allowed) | frozenset(readers), frozenset(allowed), args, works_for, query, body
    )


# Default world key for each URL part; routes override where a part means another object.
DEFAULT_ARGS = {
    "configuration_id": "configuration",
    "number": "order",
    "quote_id": "draft_quote",
    "account_id": "acme",
    "customer_id": "anna",
    "user_id": "mallory",
    "token_id": "token",
    "line_id": "line",
    "contact_id": "contact",
    "entry_id": "price_entry",
    "catalog_id": "catalog",
    "message_id": "message",
    "kept_id": "anna",
    "merged_id": "mallory",
    "merge_id": "merge",
    "release_id": "scheduled_release",
    "delivery_id": "delivery",
    "item_id": "guest_cart_item",
}

OBJECT_ROUTES: dict[str, ObjectRoute] = {
    # The customer's own records: the owner; seller roles may look (they see
    # every customer's records) but never change them.
    "account.configuration": route(OWNER, *SELLERS, works_for=OWNER),  # POST saves nothing
    "account.diff": route(OWNER, readers=SELLERS, query="?a=1&b=1"),
    "account.order": route(OWNER),
    "account.checkout_page": route(OWNER, works_for=OWNER),
    "account.cancel_order": route(OWNER),
    "account.add_to_cart": route(OWNER),
    "account.add_order_to_cart": route(OWNER),
    "account.cart_quantity": route(OWNER, line_id="cart_line"),
    "account.cart_remove": route(OWNER, line_id="cart_line"),
    # A cart line reopened on its configuration's page (tests/web/test_cart_editing_pages.py).
    "account.cart_edit": route(OWNER, line_id="cart_line"),
    "account.cart_save": route(OWNER, line_id="cart_line"),
    "account.cart_add_new": route(OWNER, line_id="cart_line"),
    "account.cart_stop": route(OWNER, line_id="cart_line"),
    "staff.mark_delivery_shipped": route(*SELLERS),
    "account.rename": route(OWNER, readers=SELLERS, works_for=OWNER),
    "account.save_revision": route(OWNER),
    "account.order_detail": route(OWNER, readers=SELLERS, works_for=OWNER),
    "account.reorder": route(OWNER, readers=SELLERS, works_for=OWNER),
    # The world's order has no checkout, so no invoice: everyone else is refused the
    # same 404 (test_subscription_pages.py shows an invoice that exists).
    "account.invoice": route(OWNER, readers=SELLERS),
    "account.invoice_pdf": route(OWNER, readers=SELLERS),
    "tokens.revoke": route(OWNER),
    "inbox.message": route(OWNER, works_for=OWNER),
    # The client's quotes: the contacts of the quote's account, once it is sent
    # (sellers may also print them: they see every quote on their own pages).
    "client_quotes.detail": route(CONTACT, works_for=CONTACT, quote_id="sent_quote"),
    "client_quotes.accept": route(CONTACT, quote_id="sent_quote"),
    "client_quotes.decline": route(CONTACT, quote_id="sent_quote"),
    "client_quotes.pdf": route(CONTACT, readers=SELLERS, works_for=CONTACT, quote_id="sent_quote"),
    "client_quotes.print_page": route(
        CONTACT, readers=SELLERS, works_for=CONTACT, quote_id="sent_quote"
    ),
    # Staff pages: seller roles only (managers approve, admins change roles).
    "staff.account": route(*SELLERS, works_for=STAFF),
    "staff.new_quote": route(*SELLERS),
    "staff.quote": route(*SELLERS, works_for=STAFF),
    "staff.approve": route(MANAGER, DIRECTOR, ADMIN),
    "staff.reject": route(MANAGER, DIRECTOR, ADMIN),
    "staff.cancel": route(*SELLERS),
    "staff.compare": route(*SELLERS),
    "staff.copy_quote": route(*SELLERS, works_for=STAFF),
    "staff.save_template": route(*SELLERS),
    "staff.start_from_template": route(*SELLERS, template_id="quote_template"),
    "staff.configure_line": route(*SELLERS, works_for=STAFF),
    "staff.add_line": route(*SELLERS),
    "staff.quote_discount": route(*SELLERS),
    "staff.change_line": route(*SELLERS),
    "staff.remove_line": route(*SELLERS),
    "staff.add_service": route(*SELLERS),
    "staff.email_again": route(*SELLERS, quote_id="sent_quote"),
    "staff.change_service": route(*SELLERS),
    "staff.remove_service": route(*SELLERS),
    "staff.reconfigure_line": route(*SELLERS, works_for=STAFF),
    "staff.quote_order": route(*SELLERS),
    "staff.lock_line": route(*SELLERS),
    "staff.save_reconfigured_line": route(*SELLERS),
    "staff.order": route(*SELLERS),
    "staff.order_status": route(*SELLERS),
    "staff.pdf": route(*SELLERS, works_for=STAFF),
    "staff.print_page": route(*SELLERS, works_for=STAFF),
    "staff.reprice": route(*SELLERS),
    "staff.revise": route(*SELLERS),
    "staff.send": route(*SELLERS),
    "staff.submit": route(*SELLERS),
    "staff.valid_until": route(*SELLERS),
    "staff.user_role": route(ADMIN),
    # Catalogs: sellers may look at the versions; only administrators load one.
    # Catalog managers (and administrators) edit drafts and release them.
    "staff.catalogs_page": route(ADMIN, readers=CATALOG_READERS, works_for=CATALOG_MANAGER),
    "staff.catalog_upload": route(ADMIN),
    "staff.draft_page": route(readers=CATALOG_READERS, works_for=STAFF),
    "staff.draft_download": route(readers=CATALOG_READERS, works_for=STAFF),
    "staff.draft_check": route(CATALOG_MANAGER, ADMIN),
    # Asking for a check by its text's fingerprint posts nothing: every catalog reader may poll.
    "staff.draft_check_ready": route(readers=CATALOG_READERS, works_for=STAFF, key="check_key"),
    "staff.draft_save": route(CATALOG_MANAGER, ADMIN),
    "staff.draft_discard": route(CATALOG_MANAGER, ADMIN),
    "staff.draft_form": route(readers=CATALOG_READERS, works_for=STAFF),
    "staff.draft_form_edit": route(CATALOG_MANAGER, ADMIN),
    "staff.draft_rule_check": route(CATALOG_MANAGER, ADMIN),
    "staff.release_page": route(readers=CATALOG_READERS, works_for=CATALOG_MANAGER),
    "staff.release": route(CATALOG_MANAGER, ADMIN),
    "staff.rollback": route(CATALOG_MANAGER, ADMIN),
    "staff.cancel_release": route(CATALOG_MANAGER, ADMIN),
    "staff.graph_page": route(readers=CATALOG_READERS, works_for=STAFF),
    "staff.saved_work": route(readers=CATALOG_READERS, works_for=CATALOG_MANAGER,
                              kind="saved_kind", record_id="configuration"),
    # The try-it panel posts picks but saves nothing: every catalog reader may use it.
    "staff.try_page": route(*CATALOG_READERS, works_for=CATALOG_MANAGER),
    "staff.what_if": route(readers=CATALOG_READERS, works_for=CATALOG_MANAGER),
    # Business accounts and prices: managers and administrators keep them.
    "staff.account_edit": route(MANAGER, ADMIN, works_for=MANAGER),
    "staff.account_update": route(MANAGER, ADMIN),
    "staff.account_breaks": route(MANAGER, ADMIN),
    "staff.contact_invite": route(MANAGER, ADMIN),
    "staff.contact_create": route(MANAGER, ADMIN),
    "staff.contact_remove": route(MANAGER, ADMIN),
    "staff.contact_role": route(MANAGER, ADMIN),
    "staff.price_option": route(MANAGER, ADMIN),
    "staff.price_percent": route(MANAGER, ADMIN),
    "staff.price_remove": route(MANAGER, ADMIN),
    "staff.breaks_save": route(MANAGER, ADMIN),
    "insights.customer": route(*SELLERS, works_for=STAFF),
    "insights.merge": route(*SELLERS, works_for=STAFF),
    "insights.undo_merge": route(*SELLERS),
    # An offer names a campaign; only a customer it showed an offer to may open it
    # or unsubscribe (nobody in this world was reached), staff read its report.
    "shop.open_offer": route(campaign_id="campaign", item="first_item"),
    "shop.unsubscribe_offer": route(campaign_id="campaign"),
    "insights.offer_report": route(*SELLERS, works_for=STAFF, campaign_id="campaign"),
    # The API, with a personal token of each person (all the scopes they may have).
    "api.get_configuration": route(OWNER, *SELLERS, works_for=OWNER),
    "api.rename_configuration": route(OWNER, body={"name": "Taken over"}),
    "api.revise_configuration": route(
        OWNER, body={"base_revision": 1, "selection": dict(COMPLETE_BIKE, frame="steel")}
    ),
    "api.get_revision": route(OWNER, *SELLERS, works_for=OWNER, number="revision"),
    "api.get_order": route(OWNER, *SELLERS, works_for=OWNER),
    "api.recheck_order": route(OWNER, *SELLERS, works_for=OWNER),
    "api.reorder": route(OWNER, body={}),
    "api.get_quote": route(CONTACT, works_for=CONTACT, quote_id="sent_quote"),
    "api.accept_quote": route(CONTACT, quote_id="sent_quote", body={}),
    "api.decline_quote": route(CONTACT, quote_id="sent_quote", body={"reason": "Too dear"}),
    "api.staff_get_quote": route(*SELLERS, works_for=STAFF),
    # Service lines of a draft quote (tests/api/test_api_quotes.py).
    "api.add_service_line": route(*SELLERS, body={"description": "Freight", "quantity": 1,
                                                  "unit_price": "80.00"}),
    "api.change_service_line": route(*SELLERS, body={"description": "Freight", "quantity": 1,
                                                     "unit_price": "80.00"}),
    "api.remove_service_line": route(*SELLERS),
    # One's own cart lines (tests/api/test_api_cart.py).
    "api.change_cart_item": route(OWNER, line_id="cart_line", body={"quantity": 3}),
    "api.remove_cart_item": route(OWNER, line_id="cart_line"),
    # An item of a guest's cart: only the browser holding that cart's token reaches it,
    # and nobody here does (tests/web/test_guest_cart_pages.py).
    "shop.guest_cart_quantity": route(),
    "shop.guest_cart_remove": route(),
    "shop.guest_cart_edit": route(),
    "shop.guest_cart_save": route(),
    "shop.guest_cart_add_new": route(),
    "shop.guest_cart_stop": route(),
}

# Routes whose URL names a public thing (a product line, a file): anyone may.
PUBLIC_ROUTES = {
    "static",
    "shop.configure",
    "shop.save",
    "shop.add_to_cart",  # a guest's picks go into this browser's own guest cart
    # A guest's order of a product line (tests/web/test_guest_order_pages.py).
    "shop.guest_start",
    "shop.guest_order",
    "shop.picture",  # the picture of picks of a published catalog version, like the configurator
    "api.get_catalog",
    "api.complete",
    "api.domains",
    "api.explain",
    "api.price",
    "api.repair",
    # E-mail links carry a signed message id; whoever has the e-mail may follow them.
    "inbox.opened",
    "inbox.clicked",
    # Anyone may switch the pages' language (a signed-in user's choice is kept for them).
    "language.choose",
    # One-time links (tests/security/test_passwords.py): the unguessable token is the
    # permission; whoever got the e-mail may set the password, once.
    "auth.reset_password",
    "auth.accept_invitation",
    "auth.verify_email",  # tests/security/test_verification.py
    # Signed in, and only for the account the link was made for
    # (tests/web/test_guest_claim_pages.py, tests/services/test_read_back_guest_claims.py).
    "account.add_guest_order",
}
# Routes without an object in the URL: lists of one's own things, forms, sign-in.
# They are tested by their blueprints' tests (e.g. tests/web/test_access.py checks
# that another customer's lists stay empty).
LIST_ROUTES = {
    "index",
    "health",
    "auth.signin",
    "auth.signout",
    "auth.signout_everywhere",  # one's own sessions (tests/security/test_sessions.py)
    "auth.signup",
    "auth.change_password",  # one's own (tests/security/test_passwords.py)
    "auth.forgot_password",
    "auth.signup_sent",
    "auth.verify_again",  # one's own address (tests/security/test_verification.py)
    "shop.index",
    "shop.guest_thanks",  # this browser's last guest order, from its session
    "shop.guest_cart",  # this browser's guest cart, from its session
    "shop.guest_cart_checkout_page",
    "account.configurations_list",
    "account.orders_list",
    "account.cart_page",  # one's own cart (tests/web/test_cart_pages.py)
    "account.cart_checkout_page",
    "account.timeline_page",
    # One's own consent, export and erasure (tests/web/test_privacy_page.py: guests and
    # forged requests are refused, and nobody reaches someone else's data).
    "account.privacy_page",
    "account.privacy_export",
    "account.privacy_phone",
    "account.privacy_erase",
    "client_quotes.index",
    "tokens.index",
    "tokens.create",
    "inbox.index",
    "api.list_catalogs",
    "api.list_configurations",
    "api.create_configuration",
    "api.list_orders",
    "api.place_order",
    "api.list_quotes",
    "api.get_cart",  # one's own cart (tests/api/test_api_cart.py)
    "api.add_cart_item",
    "api.checkout_cart",
    "api.search_quotes",
    "api.docs_page",
    "api.openapi_document",
    "staff.home",
    "staff.accounts_list",
    "staff.approvals",
    "staff.quotes_list",
    "staff.deliveries",  # sellers only (tests/web/test_delivery_desk_pages.py)
    "staff.users",
    "staff.account_new",
    "staff.breaks",
    "staff.templates_page",  # every template is every seller's (tests/web/test_staff_desk.py)
    "insights.dashboard",
    "insights.recompute",
    "insights.duplicates_page",
    "insights.offers_page",
}

# A generic form: the picks of a complete bike and the fields other forms use.
# Refusals must happen before any of it is read.
FORM = dict(
    {f"f.{key}": value for key, value in COMPLETE_BIKE.items()},
    base_revision="1",
    name="Taken over",
    reason="Not wanted",
    role="admin",
    quantity="3",
    percent="50",
    valid_until="2030-01-01",
    a="1",
    b="1",
)
REFUSED_PAGE = (403, 404)
REFUSED_API = (401, 403, 404)
# Columns that record use rather than content (a token's last use).
IGNORED_COLUMNS = {"last_used_at"}


# ----------------------------------------------------------------- world


@pytest.fixture
def world(app):
    """Everyone in EVERYONE, and the objects the routes name."""
    with app.app_context():
        session = db.session
        anna = gen_user(session, EMAILS[OWNER], name="Anna")
        mallory = gen_user(session, EMAILS[OTHER_CUSTOMER], name="Mallory")
        configuration = gen_configuration(session, anna, COMPLETE_BIKE, name="Anna's bike")
        order = gen_order(session, anna)
        people = {role: gen_staff(session, role, EMAILS[role]) for role in CATALOG_READERS}
        acme, contact = gen_account(session, contact_email=EMAILS[CONTACT])
        _other, other_contact = gen_account(
            session, "Other GmbH", contact_email=EMAILS[OTHER_BUSINESS]
        )
        draft = quotes.drafts.create(session, people[STAFF], acme.id)
        quotes.lines.add_line(session, people[STAFF], draft.id, "test-bike", BIKE, 2)
        sent = quotes.drafts.create(session, people[STAFF], acme.id)
        quotes.lines.add_line(session, people[STAFF], sent.id, "test-bike", BIKE, 1)
        quotes.sending.send(session, people[STAFF], sent.id)
        line = session.scalar(
            sa.select(QuoteLineRecord).where(QuoteLineRecord.quote_id == draft.id)
        )
        users = {
            OWNER: anna,
            OTHER_CUSTOMER: mallory,
            CONTACT: contact,
            OTHER_BUSINESS: other_contact,
            **people,
        }
        tokens = {
            who: api_tokens.create(
                session, user, f"{who} token", list(api_tokens.allowed_scopes(user))
            )
            for who, user in users.items()
        }
        workbench.drafts.save(session, "test-bike", (DATA / "bike-v2.yaml").read_text(),
                              people[CATALOG_MANAGER])
        scheduled = workbench.releases.schedule(
            session, "test-bike", people[CATALOG_MANAGER], "Next season",
            datetime(2100, 1, 1, tzinfo=UTC),
        )
        message = outbox.enqueue(
            session, outbox.Draft("note", "For Anna", "Hello Anna", "A test."), recipient=anna
        )
        # Two records of one person, merged by staff (the undo route names the merge).
        twin = gen_user(session, "twin@example.com", name="Twin")
        merge = merging.merge(session, people[STAFF], twin.id,
                              gen_user(session, "twin+2@example.com", name="Twin").id)
        template = quotes.templates.save(session, people[STAFF], draft.id, "Two bikes")
        campaign = campaigns.create(session, people[STAFF], campaigns.CampaignInput(
            code="spring", name="Spring offer", reward_kind="discount", percent="10"))
        cart_line = cart.add(session, anna, configuration.id)
        guest_item = guest_carts.add(session, guest_carts.new_token(), "test-bike", "A guest's",
                                     COMPLETE_BIKE)
        session.commit()
        return {
            "cart_line": cart_line.id,
            "guest_cart_item": guest_item.id,
            "delivery": session.scalar(sa.select(Delivery.id).where(Delivery.order_id == order.id)),
            "campaign": campaign.id,
            "first_item": 0,
            "merge": merge.id,
            "message": message.id,
            "configuration": configuration.id,
            "revision": 1,
            "order": order.number,
            "draft_quote": draft.id,
            "sent_quote": sent.id,
            "quote_template": template.id,
            "acme": acme.id,
            "anna": anna.id,
            "mallory": mallory.id,
            "token": tokens[OWNER][0].id,
            "line": line.line_id,
            "contact": session.scalar(
                sa.select(AccountContact.id).where(AccountContact.user_id == contact.id)
            ),
            "price_entry": session.scalar(
                sa.select(PriceListEntry.id).where(PriceListEntry.account_id == acme.id)
            ),
            "catalog": "test-bike",
            "saved_kind": "configuration",
            "check_key": "0" * 64,  # a text's fingerprint this process has not checked
            "scheduled_release": scheduled.id,
            "secrets": {who: raw for who, (_token, raw) in tokens.items()},
        }


def _build(rule, values: dict) -> str:
    """The rule's path with its parts filled in (werkzeug's own builder)."""
    _domain, path = rule.build(values, append_unknown=False)
    return path


def database_state(app) -> dict[str, list[tuple]]:
    """Every row of every table (minus use-tracking columns), to compare before and after."""
    engine = db.engine_for(app)
    state = {}
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns if c.name not in IGNORED_COLUMNS]
            rows = connection.execute(sa.select(*columns)).all()
            state[table.name] = sorted(repr(tuple(row)) for row in rows)
    return state


def clients_for(app) -> dict:
    """A signed-in test client per person (the guest's signs in nowhere)."""
    clients = {}
    for who in EVERYONE:
        client = app.test_client()
        if who != GUEST:
            response = client.post(
                "/auth/signin", data={"email": EMAILS[who], "password": "password123"}
            )
            assert response.status_code in (302, 303), f"{who} could not sign in"
        clients[who] = client
    return clients


def attempts(rule) -> list[str]:
    """Every method the route accepts (others get 405 before anything else happens)."""
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def send(client, method: str, path: str, rule, spec: ObjectRoute, secret: str | None):
    if rule.endpoint.startswith("api."):
        headers = {"Authorization": f"Bearer {secret}"} if secret else {}
        body = (spec.body if spec.body is not None else {}) if method != "GET" else None
        return client.open(path + spec.query, method=method, json=body, headers=headers)
    data = FORM if method != "GET" else None
    return client.open(path + spec.query, method=method, data=data)


def refused(response, rule, who: str) -> bool:
    if rule.endpoint.startswith("api."):
        return response.status_code in REFUSED_API
    if response.status_code in REFUSED_PAGE:
        return True
    # A guest is sent to sign in (a page) or refused in the message area (htmx).
    location = response.headers.get("Location", "")
    return who == GUEST and response.status_code in (302, 303) and "/auth/signin" in location


# ----------------------------------------------------------------- tests


def test_every_route_is_in_the_matrix(app):
    """A new route must be placed: in OBJECT_ROUTES, or explicitly public, or a list."""
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    placed = set(OBJECT_ROUTES) | PUBLIC_ROUTES | LIST_ROUTES
    assert not endpoints - placed, f"routes missing from the matrix: {sorted(endpoints - placed)}"
    assert not placed - endpoints, (
        f"matrix names routes that no longer exist: {sorted(placed - endpoints)}"
    )
    with_objects = {rule.endpoint for rule in app.url_map.iter_rules() if rule.arguments}
    unplaced = with_objects - set(OBJECT_ROUTES) - PUBLIC_ROUTES
    assert not unplaced, (
        f"routes with an object id that are not in OBJECT_ROUTES: {sorted(unplaced)}"
    )


@pytest.mark.parametrize("endpoint", sorted(OBJECT_ROUTES))
def test_nobody_else_sees_or_changes_the_object(app, world, endpoint):
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint]
    # A stale entry would test nothing: the matrix must follow the app both ways.
    assert rules, f"{endpoint} is in the matrix but not in the app: remove or rename it"
    spec = OBJECT_ROUTES[endpoint]
    clients = clients_for(app)
    for rule in rules:
        path = _build(rule, {p: world[spec.args.get(p) or DEFAULT_ARGS[p]] for p in rule.arguments})
        for who in EVERYONE:
            secret = world["secrets"].get(who)
            for method in attempts(rule):
                if who in (spec.readers if method == "GET" else spec.writers):
                    continue
                before = database_state(app)
                response = send(clients[who], method, path, rule, spec, secret)
                assert refused(response, rule, who), (
                    f"{who} {method} {path}: {response.status_code} "
                    f"{response.get_data(as_text=True)[:300]}"
                )
                assert database_state(app) == before, f"{who} {method} {path} changed the database"
        if spec.works_for and "GET" in rule.methods:
            secret = world["secrets"][spec.works_for]
            response = send(clients[spec.works_for], "GET", path, rule, spec, secret)
            assert response.status_code == 200, (
                f"{spec.works_for} GET {path}: {response.status_code} (the matrix's URL is wrong?)"
            )
