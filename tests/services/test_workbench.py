"""The catalog workbench's services: the live check at the right lines, the
diff, the impact against a brute-force recount, and who may do what (drafts
and releases: test_read_back_workbench.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from configurator.services import business, catalogs, quotes
from configurator.services.workbench import drafts, graph, releases, whatif
from configurator.services.workbench.diff import Change, diff_models
from tests.engine.bruteforce import (
    Enumeration,
    config_from_selection,
    config_price,
    model_from_text,
    valid,
)
from tests.helpers import COMPLETE_BIKE, gen_configuration, gen_user
from tests.services.quote_factories import gen_account, gen_staff
from tests.services.workbench_factories import (
    BIKE_TEXT,
    DRAFT_TEXT,
    NOW,
    gen_catalog_manager,
    line_of,
)


@pytest.fixture
def manager(session):
    return gen_catalog_manager(session)


# ------------------------------------------------------------------ the live check


def test_a_rule_naming_an_unknown_option_is_shown_at_its_line():
    text = BIKE_TEXT.replace("then: brakes in [disc_hydraulic]", "then: brakes in [drum]")
    check = drafts.check_text(text, "test-bike")
    assert not check.releasable
    [problem] = check.problems
    assert "drum" in problem.text
    assert problem.line == line_of(text, "- id: carbon-needs-disc")


def test_a_syntax_error_in_a_rule_is_shown_at_its_line():
    text = BIKE_TEXT.replace("forbid: customer.segment != business and", "forbid: customer.segment != business and and")
    [problem] = drafts.check_text(text, "test-bike").problems
    assert problem.line == line_of(text, "- id: invoice-business")


def test_a_yaml_error_is_shown_at_its_line():
    text = BIKE_TEXT.replace("      - {id: box, name: Cardboard box, price: 10.00}",
                             "      - {id: box, name: Cardboard box, price: 10.00")
    problems = drafts.check_text(text, "test-bike").problems
    assert problems and problems[0].line is not None
    assert abs(problems[0].line - line_of(text, "id: box")) <= 1


def test_a_bad_price_is_shown_at_its_option():
    text = BIKE_TEXT.replace("{id: rack, name: Rack, price: 25.00}", "{id: rack, name: Rack, price: cheap}")
    [problem] = drafts.check_text(text, "test-bike").problems
    assert problem.line == line_of(text, "id: rack")
    assert problem.source_line.startswith("- {id: rack")


def test_a_text_for_another_product_line_is_refused():
    text = BIKE_TEXT.replace("catalog: test-bike", "catalog: other-bike")
    [problem] = drafts.check_text(text, "test-bike").problems
    assert "other-bike" in problem.text and problem.line == 1


def test_the_check_reports_dead_options_and_the_count():
    text = BIKE_TEXT + "  - id: no-steel\n    forbid: frame == steel\n"
    check = drafts.check_text(text, "test-bike")
    assert check.releasable
    assert [f.text for f in check.findings] == ["dead option frame=steel"]
    assert check.findings[0].line == line_of(text, "id: steel")
    full = drafts.check_text(BIKE_TEXT, "test-bike")
    assert check.report.count < full.report.count and full.findings == []


# ------------------------------------------------------------------ diff


def test_the_diff_lists_prices_options_and_rules():
    changes = diff_models(model_from_text(BIKE_TEXT), model_from_text(DRAFT_TEXT))
    assert set(changes) == {
        Change("price", "changed", "frame=carbon", "640.00", "700.00"),
        Change("option", "removed", "frame=steel", "Steel, 80.00"),
        Change("option", "added", "extras=kickstand", "", "Kickstand, 12.00"),
        Change("rule", "removed", "courier-no-pallet",
               "require: not (delivery == courier and packaging == pallet) — Couriers do not take pallets."),
        Change("rule", "added", "no-rack-on-carbon", "",
               "forbid: frame == carbon and extras in [rack] — Carbon frames take no rack."),
    }


def test_the_diff_of_a_text_with_itself_is_empty():
    assert diff_models(model_from_text(BIKE_TEXT), model_from_text(BIKE_TEXT)) == []


# ------------------------------------------------------------------ impact


def brute_force_price(text: str, selection: dict, facts: dict, complete: bool) -> Decimal | None:
    """The price of a saved selection when it fits the catalog text, by enumeration alone."""
    model = model_from_text(text)
    known = {f.id: set(f.option_ids()) for f in model.features}
    for feature, picked in selection.items():
        picked = [picked] if isinstance(picked, str) else picked
        if feature not in known or not set(picked) <= known[feature]:
            return None
    config = config_from_selection(model, selection)
    if complete:
        fits = valid(model, config, facts)
    else:
        fits = bool(Enumeration(model, facts).matching(selection))
    return config_price(model, config) if fits else None


def test_the_impact_matches_a_brute_force_recount(session, bike, manager):
    consumer = gen_user(session, segment="consumer")
    firm = gen_user(session, segment="business")
    saved = [  # (owner, selection, complete)
        (consumer, COMPLETE_BIKE, True),  # unchanged
        (consumer, dict(COMPLETE_BIKE, frame="steel"), True),  # steel retired
        (consumer, dict(COMPLETE_BIKE, frame="carbon", brakes="disc_hydraulic"), True),  # dearer
        (consumer, dict(COMPLETE_BIKE, frame="carbon", brakes="disc_hydraulic", extras=["rack"]), True),
        (consumer, {"frame": "steel"}, False),  # unfinished, retired
        (consumer, {"frame": "carbon", "extras": ["rack", "bell"]}, False),  # unfinished, now refused
        (consumer, {"frame": "carbon"}, False),  # unfinished, still possible, dearer
        (firm, dict(COMPLETE_BIKE, billing="invoice_60"), True),  # business only, unchanged
        (consumer, dict(COMPLETE_BIKE, packaging="pallet", delivery="freight"), True),
    ]
    for owner, selection, _ in saved:
        gen_configuration(session, owner, selection)
    # A configuration that did not fit before either (pallet by courier) is not the release's doing.
    invalid_before = dict(COMPLETE_BIKE, packaging="pallet")
    gen_configuration(session, consumer, invalid_before)
    saved.append((consumer, invalid_before, True))

    staff = gen_staff(session)
    account, _ = gen_account(session)
    quote = quotes.drafts.create(session, staff, account.id, now=NOW)
    lines = [COMPLETE_BIKE, dict(COMPLETE_BIKE, frame="steel"),
             dict(COMPLETE_BIKE, frame="carbon", brakes="disc_hydraulic", billing="invoice_60")]
    for selection in lines:
        quotes.lines.add_line(session, staff, quote.id, "test-bike", selection, 2, now=NOW)
    business_facts = {"segment": "business", "country": "de", "business": "yes"}

    drafts.save(session, "test-bike", DRAFT_TEXT, manager)
    preview = releases.preview(session, "test-bike")
    got = {(a.work.kind, a.effect) for a in preview.impact.affected}
    assert got  # the seeded history is affected at all

    expected = {("configuration", "no_longer_fits"): 0, ("configuration", "price_changes"): 0,
                ("quote", "no_longer_fits"): 0, ("quote", "price_changes"): 0}
    items = [("configuration", owner.facts(), selection, complete) for owner, selection, complete in saved]
    items += [("quote", business_facts, selection, True) for selection in lines]
    for kind, facts, selection, complete in items:
        before = brute_force_price(BIKE_TEXT, selection, facts, complete)
        after = brute_force_price(DRAFT_TEXT, selection, facts, complete)
        if before is None:
            continue
        if after is None:
            expected[(kind, "no_longer_fits")] += 1
        elif after != before:
            expected[(kind, "price_changes")] += 1
    for (kind, effect), count in expected.items():
        assert preview.impact.count(kind, effect) == count, (kind, effect)
    assert preview.impact.checked == len(items)
    assert preview.impact.count_before == Enumeration(model_from_text(BIKE_TEXT)).count
    assert preview.impact.count_after == Enumeration(model_from_text(DRAFT_TEXT)).count


def test_cancelled_quotes_are_not_impacted(session, bike, manager):
    staff = gen_staff(session)
    account, _ = gen_account(session)
    steel = dict(COMPLETE_BIKE, frame="steel")
    kept = quotes.drafts.create(session, staff, account.id, now=NOW)
    quotes.lines.add_line(session, staff, kept.id, "test-bike", steel, 1, now=NOW)
    cancelled = quotes.drafts.create(session, staff, account.id, now=NOW)
    quotes.lines.add_line(session, staff, cancelled.id, "test-bike", steel, 1, now=NOW)
    quotes.sending.cancel(session, staff, cancelled.id, "no longer wanted", now=NOW)
    drafts.save(session, "test-bike", DRAFT_TEXT, manager)
    affected = releases.preview(session, "test-bike").impact.affected
    assert [(a.work.kind, a.work.record_id, a.effect) for a in affected] == [
        ("quote", kept.id, "no_longer_fits")
    ]


# ------------------------------------------------------------------ roles


@pytest.mark.parametrize("role, reads, edits", [
    ("customer", False, False), ("staff", True, False), ("manager", True, False),
    ("admin", True, True), ("catalog_manager", True, True),
])
def test_who_may_read_and_edit_catalogs(session, role, reads, edits):
    user = gen_user(session, role=role)
    assert (user.can_read_catalogs, user.can_edit_catalogs) == (reads, edits)


def test_an_admin_makes_someone_a_catalog_manager(session):
    admin = gen_staff(session, "admin")
    user = gen_user(session)
    business.admin.set_user_role(session, admin, user.id, "catalog_manager")
    assert user.role == "catalog_manager" and not user.is_staff


# ------------------------------------------------------------------ the constraint graph


def test_the_graph_puts_features_in_dimension_columns_and_parts_in_bands():
    model = model_from_text(BIKE_TEXT)
    picture = graph.picture(model)
    at = {node.id: node for node in picture.nodes}
    columns = dict(picture.columns)
    assert all(node.x == columns[node.dimension] for node in picture.nodes)
    # frame-brakes, extras, packaging-delivery, billing: four parts no rule connects
    assert [band.features for band in picture.bands] == [2, 1, 2, 1]
    for band in picture.bands:
        inside = [n.id for n in picture.nodes if band.y <= n.y <= band.y + band.height]
        assert len(inside) == band.features
    assert [(e.a, e.b, e.rules) for e in picture.edges] == [
        ("frame", "brakes", ("carbon-needs-disc",)),
        ("packaging", "delivery", ("courier-no-pallet",)),
    ]
    assert at["frame"].y != at["brakes"].y
    assert graph.picture(model) == picture  # the same catalog, the same picture


def test_a_rule_joining_two_parts_puts_them_in_one_band():
    joined = BIKE_TEXT + "  - id: rack-by-freight\n    if: extras in [rack]\n    then: delivery == freight\n"
    picture = graph.picture(model_from_text(joined))
    assert [band.features for band in picture.bands] == [2, 3, 1]


def test_a_features_rules_and_what_it_influences():
    chosen = graph.feature_rules(model_from_text(BIKE_TEXT), "frame")
    assert chosen.rules == (("carbon-needs-disc", "Carbon frames only take hydraulic disc brakes."),)
    assert chosen.influences == ("brakes",)
    assert graph.feature_rules(model_from_text(BIKE_TEXT), "nope") is None


# ------------------------------------------------------------------ try it


@pytest.mark.parametrize("given, facts", [
    (("business", "DE", "gold"), {"segment": "business", "business": "yes", "country": "de", "tier": "gold"}),
    (("consumer", "", ""), {"segment": "consumer", "business": "no"}),
    (("pirate", "Germany", "x" * 40), {"segment": "consumer", "business": "no"}),
])
def test_the_try_it_panels_customer_facts(given, facts):
    assert drafts.customer_facts(*given) == facts


def test_try_it_uses_the_draft_only_when_it_is_usable(session, bike, manager):
    catalog, shown = drafts.try_catalog(session, "test-bike")
    assert shown.startswith("version 1") and catalog.model.feature("frame").option("steel")
    drafts.save(session, "test-bike", DRAFT_TEXT, manager)
    catalog, shown = drafts.try_catalog(session, "test-bike")
    assert shown == "the draft" and catalog.model.feature("frame").option("steel") is None
    drafts.save(session, "test-bike", DRAFT_TEXT.replace("[disc_hydraulic]", "[drum]"), manager)
    assert drafts.try_catalog(session, "test-bike")[1].startswith("version 1")


def test_try_it_leaves_out_a_draft_no_configuration_fits(session, bike, manager):
    """Usable as the check judges it, without the rest of the check (count, dead options, rules never firing)."""
    nothing_fits = DRAFT_TEXT + "  - id: no-bike\n    require: frame == carbon and frame == alu\n"
    assert not drafts.check_text(nothing_fits, "test-bike").releasable
    drafts.save(session, "test-bike", nothing_fits, manager)
    assert drafts.try_catalog(session, "test-bike")[1].startswith("version 1")


# ------------------------------------------------------------------ what if


def test_what_if_a_price_changed(session, bike, manager):
    owner = gen_user(session)
    carbon = gen_configuration(session, owner, dict(COMPLETE_BIKE, frame="carbon", brakes="disc_hydraulic"))
    gen_configuration(session, owner, COMPLETE_BIKE)
    answer = whatif.price_change(session, "test-bike", "frame=carbon", "700")
    assert answer.question == "frame=carbon at 700.00" and answer.shown.startswith("version 1")
    [affected] = answer.impact.affected
    assert (affected.work.record_id, affected.effect) == (carbon.id, "price_changes")
    assert (affected.price_before, affected.price_after) == (Decimal("825.00"), Decimal("885.00"))
    assert answer.impact.count_before == answer.impact.count_after
    cheaper = whatif.price_change(session, "test-bike", "frame=steel", "1")
    assert cheaper.cheapest_after == cheaper.cheapest_before - Decimal("79.00")


def test_what_if_a_rule_were_removed_counts_like_brute_force(session, bike, manager):
    answer = whatif.rule_removed(session, "test-bike", "carbon-needs-disc")
    without = BIKE_TEXT.replace(
        "  - id: carbon-needs-disc\n    if: frame == carbon\n    then: brakes in [disc_hydraulic]\n"
        "    message: Carbon frames only take hydraulic disc brakes.\n", "")
    assert answer.impact.count_after == Enumeration(model_from_text(without)).count
    assert answer.impact.count_after > answer.impact.count_before
    assert catalogs.current(session, "test-bike").id == bike.id  # nothing released


@pytest.mark.parametrize("ask", [
    lambda s: whatif.price_change(s, "test-bike", "frame=gold", "1"),
    lambda s: whatif.price_change(s, "test-bike", "frame=carbon", "cheap"),
    lambda s: whatif.price_change(s, "test-bike", "frame=carbon", "-5"),
    lambda s: whatif.price_change(s, "test-bike", "frame=carbon", "NaN"),
    lambda s: whatif.rule_removed(s, "test-bike", "no-such-rule"),
])
def test_what_if_refuses_what_names_nothing(session, bike, ask):
    with pytest.raises(whatif.WhatIfRefused):
        ask(session)


def test_a_big_graph_keeps_one_row_per_feature_and_draws_only_the_clicked_links(monkeypatch):
    """Forty features in one column, tied in a chain and a ring: no two boxes overlap, an edge
    within the column stays beside it, and over the limit only the clicked feature's links are drawn."""
    features = "".join(
        f"  - id: f{i}\n    name: F{i}\n    dimension: product\n    choose: optional\n"
        f"    options:\n      - {{id: x, name: X}}\n" for i in range(40)
    )
    rules = "".join(f"  - if: f{i} == x\n    then: f{(i + 1) % 40} == x\n" for i in range(40))
    rules += "".join(f"  - if: f{i} == x\n    then: f{(i + 7) % 40} == x\n" for i in range(0, 40, 3))
    text = ("catalog: ring\nname: Ring\nversion: 1\ncurrency: EUR\nfeatures:\n" + features
            + "constraints:\n" + rules)
    model = model_from_text(text)
    picture = graph.picture(model)
    ys = sorted(node.y for node in picture.nodes)
    assert all(b - a >= 28 for a, b in zip(ys, ys[1:], strict=False))  # the boxes are 28 px high
    x = picture.nodes[0].x
    for edge in picture.edges:  # within one column: right of the boxes, inside the gap
        assert edge.path.startswith(f"M {x + graph.NODE_HALF_WIDTH:.1f} ")
    assert picture.hidden_edges == 0 and len(picture.edges) == 54
    monkeypatch.setattr(graph, "EDGE_LIMIT", 10)
    focused = graph.picture(model, "f3")
    assert {edge.a for edge in focused.edges} | {edge.b for edge in focused.edges} >= {"f3"}
    assert all("f3" in (edge.a, edge.b) for edge in focused.edges)
    assert focused.hidden_edges == 54 - len(focused.edges)
    assert graph.picture(model, "f3") == focused


def test_the_diff_names_a_changed_option_image():
    pictured = BIKE_TEXT.replace("{id: carbon, name: Carbon, price: 640.00}",
                                 "{id: carbon, name: Carbon, price: 640.00, image: /static/carbon.png}")
    [change] = diff_models(model_from_text(BIKE_TEXT), model_from_text(pictured))
    assert change.what == "option" and change.change == "changed" and "image /static/carbon.png" in change.after
