"""The catalog workbench's pages: the editor with its live check (problems at
their lines), saving and uploading a draft, the release page with the diff and
the impact list, release with a note, scheduling, rollback; what each role sees."""

from __future__ import annotations

import re
from html import unescape
from io import BytesIO

import pytest

from configurator.services import catalogs
from configurator.services.workbench import background_check, drafts, releases
from configurator.web.database import db
from tests.conftest import DATA
from tests.helpers import COMPLETE_BIKE, gen_configuration, gen_user
from tests.services.held_checks import checks_held
from tests.services.quote_factories import gen_staff
from tests.services.workbench_factories import BIKE_TEXT, DRAFT_TEXT, line_of

DRAFT_URL = "/staff/catalogs/test-bike/draft"
RELEASE_URL = "/staff/catalogs/test-bike/release"


@pytest.fixture
def people(app):
    with app.app_context():
        gen_staff(db.session, "staff", "staff@shop.example")
        gen_staff(db.session, "catalog_manager", "catalogs@shop.example")
        owner = gen_user(db.session, "anna@example.com")
        gen_configuration(db.session, owner, dict(COMPLETE_BIKE, frame="steel"), name="Steel bike")


@pytest.fixture
def manager_client(client, auth, people):
    response = auth.signin("catalogs@shop.example")
    assert response.status_code in (302, 303)
    return client


def current_number(app) -> int:
    with app.app_context():
        return catalogs.current(db.session, "test-bike").number


def test_the_editor_shows_the_version_in_use_and_its_check(manager_client):
    page = manager_client.get(DRAFT_URL).get_data(as_text=True)
    assert 'id="draft-text"' in page and "catalog: test-bike" in page
    assert 'id="draft-usable"' in page and "valid configurations" in page
    assert 'hx-post="/staff/catalogs/test-bike/draft/check"' in page


def test_the_live_check_shows_a_rule_error_at_its_line(manager_client):
    text = BIKE_TEXT.replace("then: brakes in [disc_hydraulic]", "then: brakes in [drum]")
    response = manager_client.post(DRAFT_URL + "/check", data={"text": text}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    fragment = response.get_data(as_text=True)
    assert fragment.lstrip().startswith('<section class="draft-check" id="draft-check"')
    line = line_of(text, "- id: carbon-needs-disc")
    assert f'data-line="{line}"' in fragment and f"Line {line}" in fragment and "drum" in fragment


def test_a_saved_draft_leaves_the_shop_as_it_is(app, manager_client):
    response = manager_client.post(DRAFT_URL, data={"text": DRAFT_TEXT})
    assert response.status_code == 303
    page = manager_client.get(DRAFT_URL).get_data(as_text=True)
    assert "700.00" in page and "Draft started from version 1" in page
    assert current_number(app) == 1
    shop = manager_client.get("/shop/test-bike").get_data(as_text=True)
    assert "Steel" in shop  # retired only in the draft


def test_a_draft_can_be_uploaded_and_downloaded(app, manager_client):
    response = manager_client.post(
        DRAFT_URL, data={"catalog_file": (BytesIO(DRAFT_TEXT.encode()), "bike.yaml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    download = manager_client.get(DRAFT_URL.replace("/draft", "/draft.yaml"))
    assert download.get_data(as_text=True) == DRAFT_TEXT
    assert "attachment" in download.headers["Content-Disposition"]


def test_an_upload_that_is_not_utf8_is_refused_in_the_page(manager_client):
    response = manager_client.post(
        DRAFT_URL, data={"catalog_file": (BytesIO(b"\xff\xfe bad"), "bike.yaml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "not UTF-8" in response.get_data(as_text=True)


def test_the_release_page_lists_the_diff_and_the_impact(manager_client):
    manager_client.post(DRAFT_URL, data={"text": DRAFT_TEXT})
    page = manager_client.get(RELEASE_URL).get_data(as_text=True)
    assert 'id="release-diff"' in page and "frame=carbon" in page and "700.00" in page
    assert 'id="impact-list"' in page and "Steel bike" in page and "no longer fits" in page
    [link] = re.findall(r'href="(/staff/catalogs/test-bike/saved/configuration/\d+)"', page)
    # The catalog manager can open what the impact list links to (read only).
    saved = manager_client.get(link)
    assert saved.status_code == 200
    text = saved.get_data(as_text=True)
    assert "Configuration Steel bike" in text and "anna@example.com" in text
    assert "Steel" in text and "no longer fits" in text


def test_saved_work_of_another_line_or_kind_is_not_found(manager_client):
    for path in ("/staff/catalogs/test-bike/saved/configuration/999999",
                 "/staff/catalogs/test-bike/saved/nonsense/1",
                 "/staff/catalogs/nope/saved/configuration/1",
                 "/staff/catalogs/test-bike/saved/account/999999"):
        assert manager_client.get(path).status_code == 404, path


def test_release_with_a_note_then_roll_back(app, manager_client):
    manager_client.post(DRAFT_URL, data={"text": DRAFT_TEXT})
    refused = manager_client.post(RELEASE_URL, data={"note": " "})
    assert refused.status_code == 400 and "note" in refused.get_data(as_text=True)
    assert current_number(app) == 1
    response = manager_client.post(RELEASE_URL, data={"note": "Steel retired"})
    assert response.status_code == 303 and current_number(app) == 2
    page = manager_client.get(RELEASE_URL).get_data(as_text=True)
    assert "Steel retired" in page and 'id="no-draft"' in page
    response = manager_client.post("/staff/catalogs/test-bike/rollback", data={"note": "Too soon"})
    assert response.status_code == 303 and current_number(app) == 1
    assert "withdrawn" in manager_client.get(RELEASE_URL).get_data(as_text=True)


def test_a_release_can_be_scheduled_and_cancelled(app, manager_client):
    manager_client.post(DRAFT_URL, data={"text": DRAFT_TEXT})
    bad = manager_client.post(RELEASE_URL, data={"note": "later", "due_at": "next week"})
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.get_data(as_text=True)
    past = manager_client.post(RELEASE_URL, data={"note": "later", "due_at": "2001-01-01T10:00"})
    assert past.status_code == 400 and "future" in past.get_data(as_text=True)
    response = manager_client.post(RELEASE_URL, data={"note": "later", "due_at": "2099-05-01T06:30"})
    assert response.status_code == 303 and current_number(app) == 1
    page = manager_client.get(RELEASE_URL).get_data(as_text=True)
    assert "scheduled for 2099-05-01 06:30" in page
    with app.app_context():
        [entry] = releases.log(db.session, "test-bike")
    response = manager_client.post(f"/staff/catalogs/test-bike/scheduled/{entry.id}/cancel")
    assert response.status_code == 303
    assert "cancelled" in manager_client.get(RELEASE_URL).get_data(as_text=True)


def test_a_broken_draft_cannot_be_released(app, manager_client):
    manager_client.post(DRAFT_URL, data={"text": BIKE_TEXT.replace("[disc_hydraulic]", "[drum]")})
    assert 'id="draft-not-releasable"' in manager_client.get(RELEASE_URL).get_data(as_text=True)
    response = manager_client.post(RELEASE_URL, data={"note": "try"})
    assert response.status_code == 400 and "drum" in response.get_data(as_text=True)
    assert current_number(app) == 1


def test_staff_may_look_but_not_edit(app, client, auth, people):
    with app.app_context():
        drafts.save(db.session, "test-bike", DRAFT_TEXT, gen_user(db.session, role="catalog_manager"))
    auth.signin("staff@shop.example")
    page = client.get(DRAFT_URL).get_data(as_text=True)
    assert "readonly" in page and "Only a catalog manager may edit" in page
    assert 'id="release-form"' not in client.get(RELEASE_URL).get_data(as_text=True)
    assert client.post(DRAFT_URL, data={"text": BIKE_TEXT}).status_code == 403


def test_a_catalog_manager_finds_the_workbench_from_the_catalogs_page(manager_client):
    page = manager_client.get("/staff/catalogs").get_data(as_text=True)
    assert f'href="{DRAFT_URL}"' in page and f'href="{RELEASE_URL}"' in page
    assert 'href="/staff/catalogs">Catalogs</a>' in page  # in the menu
    assert manager_client.get("/staff/quotes").status_code == 404  # not a seller


def test_the_constraint_graph_is_svg_drawn_on_the_server(manager_client):
    manager_client.post(DRAFT_URL, data={"text": DRAFT_TEXT})
    page = manager_client.get("/staff/catalogs/test-bike/graph").get_data(as_text=True)
    assert '<svg id="constraint-graph"' in page and "<script" not in page.split("<main")[1]
    assert "Features of the draft" in page and 'id="node-frame"' in page
    assert "no-rack-on-carbon" in page  # the draft's new rule is an edge
    current = manager_client.get("/staff/catalogs/test-bike/graph?of=current").get_data(as_text=True)
    assert "Features of version 1" in current and "no-rack-on-carbon" not in current


def test_clicking_a_feature_shows_its_rules(manager_client):
    page = manager_client.get("/staff/catalogs/test-bike/graph?feature=frame").get_data(as_text=True)
    assert 'id="feature-rules"' in page and "carbon-needs-disc" in page
    assert "A pick here can affect: brakes" in page
    assert manager_client.get("/staff/catalogs/test-bike/graph?feature=nope").status_code == 404
    assert manager_client.get("/staff/catalogs/nope/graph").status_code == 404


def test_a_big_catalogs_graph_shows_groups_that_open_when_clicked(manager_client, monkeypatch):
    """Drawn as groups above GROUP_ABOVE features (2,513 in automotive01; 3 here, so the bike is big)."""
    from configurator.services.workbench import graph as workbench_graph

    monkeypatch.setattr(workbench_graph, "GROUP_ABOVE", 3)
    page = manager_client.get("/staff/catalogs/test-bike/graph").get_data(as_text=True)
    assert 'id="graph-groups"' in page and 'class="node group dim-' in page and "Close row" not in page
    opening = re.search(r'<a href="(/staff/catalogs/test-bike/graph\?of=draft&amp;open=(p\d+-c\d+))#node-[^"]+" '
                        r'class="node group dim-\w+" id="node-[^"]+" data-members="(\d+)"', page)
    assert opening and int(opening.group(3)) > 1
    opened = manager_client.get(opening.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert f"Close row {opening.group(2)}" in opened
    assert opened.count('class="node group') < page.count('class="node group')
    # A feature clicked in an opened row keeps the row open; nonsense rows are ignored.
    feature = manager_client.get(f"/staff/catalogs/test-bike/graph?feature=frame&open={opening.group(2)}&open=x")
    assert feature.status_code == 200 and 'id="feature-rules"' in feature.get_data(as_text=True)


def test_the_try_it_panel_is_the_configurator_on_the_draft(manager_client):
    manager_client.post(DRAFT_URL, data={"text": DRAFT_TEXT})
    page = manager_client.get("/staff/catalogs/test-bike/try").get_data(as_text=True)
    assert 'id="configurator"' in page and "with the draft" in page
    assert "Kickstand" in page and "Steel" not in page.split('id="configurator"')[1]
    picked = manager_client.post(
        "/staff/catalogs/test-bike/try",
        data={"f.frame": "carbon", "f.brakes": "disc_hydraulic", "action": "complete"},
    ).get_data(as_text=True)
    assert "Complete: a customer could order this." in picked
    assert "700.00" in picked  # the draft's price


def test_the_try_it_panel_uses_the_chosen_customer_facts(manager_client):
    as_consumer = manager_client.post(
        "/staff/catalogs/test-bike/try", data={"f.billing": "invoice_60", "as.segment": "consumer"}
    ).get_data(as_text=True)
    assert "These picks do not fit together." in as_consumer
    as_business = manager_client.post(
        "/staff/catalogs/test-bike/try", data={"f.billing": "invoice_60", "as.segment": "business",
                                               "as.country": "DE", "as.tier": "gold"}
    ).get_data(as_text=True)
    assert "These picks do not fit together." not in as_business
    assert 'name="as.segment" value="business"' in as_business  # the facts stay with each pick


def test_what_if_answers_in_the_page(manager_client):
    page = manager_client.get("/staff/catalogs/test-bike/what-if?option=frame%3Dsteel&price=1")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'id="what-if-answer"' in text and "frame=steel at 1.00" in text and "Steel bike" in text
    rule = manager_client.get("/staff/catalogs/test-bike/what-if?rule=carbon-needs-disc").get_data(as_text=True)
    assert "without rule carbon-needs-disc" in rule
    bad = manager_client.get("/staff/catalogs/test-bike/what-if?option=frame%3Dsteel&price=free")
    assert bad.status_code == 400 and 'id="what-if-problem"' in bad.get_data(as_text=True)



def test_the_what_if_question_and_its_refusals_are_in_persian(manager_client):
    manager_client.get("/language/fa")
    page = manager_client.get("/staff/catalogs/test-bike/what-if?option=frame%3Dsteel&price=1")
    assert "اگر frame=steel قیمت ۱٫۰۰ داشت" in page.get_data(as_text=True)
    rule = manager_client.get("/staff/catalogs/test-bike/what-if?rule=carbon-needs-disc")
    assert "اگر قاعدهٔ carbon-needs-disc نبود" in rule.get_data(as_text=True)
    bad = manager_client.get("/staff/catalogs/test-bike/what-if?option=frame%3Dsteel&price=free")
    assert bad.status_code == 400
    assert "'free' قیمت نیست: مبلغی مانند 120.00 بدهید." in unescape(bad.get_data(as_text=True))

def test_a_uvl_model_is_imported_into_the_draft(app, manager_client):
    uvl = (DATA.parent / "engine" / "data" / "imports" / "bike.uvl").read_bytes()
    response = manager_client.post(
        DRAFT_URL, data={"catalog_file": (BytesIO(uvl), "bike.uvl"), "import_format": "uvl"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    with app.app_context():
        text = drafts.find(db.session, "test-bike").source_text
    assert text.startswith("catalog: test-bike\n")
    assert drafts.check_text(text, "test-bike").problems == []
    assert current_number(app) == 1


def test_a_bad_model_to_import_is_refused_with_its_place(manager_client):
    response = manager_client.post(
        DRAFT_URL, data={"catalog_file": (BytesIO(b"p cnf x y\n"), "bad.dimacs"), "import_format": "dimacs"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400 and "bad.dimacs" in response.get_data(as_text=True)


def test_the_impact_lists_account_price_lists_with_a_page_the_manager_can_open(app, manager_client):
    from decimal import Decimal

    from configurator.services import business
    from tests.services.quote_factories import gen_account

    with app.app_context():
        acme, _ = gen_account(db.session, "ACME GmbH")
        business.terms.set_option_price(db.session, acme, "test-bike", "frame", "steel", Decimal("70"))
        db.session.commit()
        acme_id = acme.id
    manager_client.post(DRAFT_URL, data={"text": DRAFT_TEXT})
    page = manager_client.get(RELEASE_URL).get_data(as_text=True)
    assert 'id="impact-price-lists"' in page and "frame=steel" in page and "option removed" in page
    link = f"/staff/catalogs/test-bike/saved/account/{acme_id}"
    assert f'href="{link}"' in page
    prices = manager_client.get(link).get_data(as_text=True)
    assert 'id="price-list"' in prices and "70.00" in prices and "removed" in prices


def test_a_check_that_takes_long_says_checking_and_answers_when_asked_by_its_fingerprint(app, manager_client, tmp_path):
    """The checks run in worker processes: hold them all with jobs that wait, as big checks would."""
    text = BIKE_TEXT.replace("price: 640.00", "price: 641.00")
    key = background_check.digest(text, "test-bike")
    app.config["DRAFT_CHECK_WAIT"] = 0.05
    with checks_held(tmp_path):
        pending = manager_client.post(DRAFT_URL + "/check", data={"text": text}, headers={"HX-Request": "true"})
        fragment = pending.get_data(as_text=True)
        assert pending.status_code == 200 and 'id="draft-checking"' in fragment and "Checking" in fragment
        # The page asks again by the text's fingerprint, without sending the text.
        assert f'hx-get="/staff/catalogs/test-bike/draft/check/{key}"' in fragment
        assert 'hx-trigger="load delay:100ms"' in fragment and "hx-include" not in fragment
        still = manager_client.get(f"{DRAFT_URL}/check/{key}", headers={"HX-Request": "true"})
        assert 'id="draft-checking"' in still.get_data(as_text=True)
    app.config["DRAFT_CHECK_WAIT"] = 30
    ready = manager_client.get(f"{DRAFT_URL}/check/{key}", headers={"HX-Request": "true"})
    assert 'id="draft-usable"' in ready.get_data(as_text=True)


def test_a_fingerprint_the_process_does_not_know_makes_an_editor_send_the_text_again(manager_client):
    unknown = manager_client.get(f"{DRAFT_URL}/check/{'0' * 64}", headers={"HX-Request": "true"})
    fragment = unknown.get_data(as_text=True)
    assert unknown.status_code == 200 and 'id="draft-checking"' in fragment
    assert 'hx-post="/staff/catalogs/test-bike/draft/check"' in fragment
    assert 'hx-include="#draft-text, #form-yaml"' in fragment


def test_a_reader_asking_by_an_unknown_fingerprint_gets_the_stored_drafts_check(app, client, auth, people):
    auth.signin("staff@shop.example")
    app.config["DRAFT_CHECK_WAIT"] = 30
    answer = client.get(f"{DRAFT_URL}/check/{'0' * 64}", headers={"HX-Request": "true"})
    assert answer.status_code == 200 and 'id="draft-usable"' in answer.get_data(as_text=True)


@pytest.mark.parametrize(("language", "said"), [
    ("fa", ["در یادداشتی بنویسید چه چیزی تغییر می‌کند و چرا.",
            "تاریخ انتشار را به شکل YYYY-MM-DDTHH:MM (UTC) بدهید.",
            "انتشار زمان‌بندی‌شده باید در آینده باشد"]),
    ("vi", ["Hãy ghi chú những gì thay đổi và lý do.",
            "Hãy nhập ngày phát hành theo dạng YYYY-MM-DDTHH:MM (UTC).",
            "Lần phát hành theo lịch phải ở thời điểm tương lai"]),
])
def test_release_refusals_are_in_the_readers_language(manager_client, language, said):
    manager_client.get(f"/language/{language}")
    manager_client.post(DRAFT_URL, data={"text": DRAFT_TEXT})
    answers = [manager_client.post(RELEASE_URL, data=data) for data in (
        {"note": " "}, {"note": "later", "due_at": "next week"},
        {"note": "later", "due_at": "2000-01-01T00:00"})]
    assert [answer.status_code for answer in answers] == [400, 400, 400]
    for answer, sentence in zip(answers, said, strict=True):
        assert sentence in answer.get_data(as_text=True), sentence



@pytest.mark.parametrize(("language", "dead", "other"), [
    ("fa", "گزینهٔ مرده frame=steel", "این پیش‌نویس برای 'test-bike' است"),
    ("vi", "tùy chọn chết frame=steel", "bản nháp này dành cho 'test-bike'"),
])
def test_the_draft_checks_own_sentences_are_in_the_readers_language(manager_client, language,
                                                                     dead, other):
    manager_client.get(f"/language/{language}")
    dead_steel = BIKE_TEXT + "  - id: no-steel\n    forbid: frame == steel\n"
    for text, sentence in ((dead_steel, dead),
                           (BIKE_TEXT.replace("catalog: test-bike", "catalog: other-bike"), other)):
        response = manager_client.post(DRAFT_URL + "/check", data={"text": text},
                                       headers={"HX-Request": "true"})
        assert response.status_code == 200
        assert sentence in unescape(response.get_data(as_text=True)), sentence
