"""The workbench's last English texts follow the reader's language: the form
editor's refusals beside their field, the release diff, the engine's own check
problems on the workbench pages."""

from __future__ import annotations

import re
from html import unescape

import pytest

from configurator.services.workbench import form
from configurator.web.database import db
from tests.services.quote_factories import gen_staff
from tests.services.workbench_factories import BIKE_TEXT

FORM_URL = "/staff/catalogs/test-bike/draft/form"
HTMX = {"HX-Request": "true"}
QUOTED = re.compile(r"'[^']*'")
# Ids and codes the sentences name as the catalog writes them (rule ids, dimensions, rule kinds).
CODES = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)+|\b(?:product|packaging|delivery|billing|if|require|forbid|YAML)\b")


@pytest.fixture
def manager_client(app, client, auth):
    with app.app_context():
        gen_staff(db.session, "catalog_manager", "catalogs@shop.example")
    auth.signin("catalogs@shop.example")
    return client


def english_left(shown: str, english: str) -> set[str]:
    """The words of the English sentence (outside its quoted ids and values) that `shown` still has."""
    def plain(text: str) -> str:
        return CODES.sub("", QUOTED.sub("", text))

    words = {w.lower() for w in re.findall(r"[A-Za-z]{3,}", plain(english))}
    return {w for w in re.findall(r"[A-Za-z]{3,}", plain(shown)) if w.lower() in words}


def refusal(response) -> str:
    page = unescape(response.get_data(as_text=True))
    found = re.search(r'<span class="problem" role="alert">(.*?)</span>', page, re.S)
    assert found, page[:500]
    return found.group(1)


# (the form's post, the English refusal, words of its Persian and its Vietnamese)
REFUSED_EDITS = [
    ({"target": "option", "feature": "frame", "option": "carbon", "field": "price", "value": "lots"},
     "The price must be a number such as 12.50, not 'lots'.", "قیمت باید عددی", "Giá phải là một số"),
    ({"target": "option", "feature": "frame", "option": "carbon", "field": "cost", "value": "-5"},
     "The cost must be from 0 to 1,000,000,000 with at most 4 decimals.", "۱٬۰۰۰٬۰۰۰٬۰۰۰", "Giá vốn phải từ"),
    ({"target": "feature", "feature": "Bad Id", "field": "add"},
     "A feature id is lower-case letters, digits, '_' and '-', starting with a letter or digit.",
     "شناسهٔ ویژگی", "Mã tính năng"),
    ({"target": "feature", "feature": "brakes", "field": "remove"},
     "Feature 'brakes' is still used by rule carbon-needs-disc: change or remove those first.",
     "قاعدهٔ carbon-needs-disc", "quy tắc carbon-needs-disc"),
    ({"target": "feature", "feature": "frame", "field": "dimension", "value": "colour"},
     "The dimension is one of product, packaging, delivery, billing.", "delivery، و billing",
     "packaging, delivery và billing"),
    ({"target": "feature", "feature": "frame", "field": "choose", "value": "many"},
     "Choose is 'one', 'optional' or a range such as 0-2.", "بازه‌ای", "một khoảng"),
    ({"target": "feature", "feature": "frame", "field": "name", "value": " "},
     "A feature needs a name.", "ویژگی باید نام", "Tính năng cần có tên"),
    ({"target": "option", "feature": "frame", "option": "carbon", "field": "add-attribute",
      "value": "bad name"},
     "An attribute's name is letters, digits, '-' and '_' (at most 64), such as weight_g.",
     "نام ویژگی فنی", "Tên thuộc tính"),
    ({"target": "option", "feature": "frame", "option": "carbon", "field": "attributes",
      "value": "weight"},
     "Write attributes as 'name: value, name: value' ('weight' is not).", "بنویسید", "Hãy viết"),
    ({"target": "option", "feature": "frame", "option": "gold", "field": "name", "value": "Gold"},
     "Feature 'frame' has no option 'gold' (any more).", "گزینهٔ 'gold'", "tùy chọn 'gold'"),
    ({"target": "rule", "field": "add", "value": "maybe"},
     "A new rule is one of: if, require, forbid.", "قاعدهٔ تازه", "Quy tắc mới"),
    ({"target": "rule", "index": "99", "field": "then", "value": "x"},
     "The draft has no rule number 100 (any more).", "۱۰۰", "Bản nháp không (còn) có quy tắc số 100"),
    ({"target": "option", "feature": "frame", "option": "carbon", "field": "name.x1", "value": "x"},
     "'x1' is not a language code.", "کد زبان نیست", "không phải là mã ngôn ngữ"),
]


@pytest.mark.parametrize(("data", "english", "persian", "vietnamese"), REFUSED_EDITS)
def test_the_form_editors_refusals_are_in_the_readers_language(manager_client, data, english,
                                                               persian, vietnamese):
    with pytest.raises(form.FormProblem) as refused:  # the English the service keeps
        edit = form.Edit(data["target"], data["field"], data.get("value", ""), data.get("feature", ""),
                         data.get("option", ""), index=int(data.get("index", -1)),
                         details={"kind": data.get("kind", "")})
        form.apply(BIKE_TEXT, edit)
    assert str(refused.value) == english
    for language, words in (("fa", persian), ("vi", vietnamese)):
        manager_client.get(f"/language/{language}")
        response = manager_client.post(FORM_URL, headers=HTMX, data=data)
        assert response.status_code == 400
        shown = refusal(response)
        assert words in shown, (language, shown)
        assert english_left(shown, english) == set(), (language, shown)


@pytest.mark.parametrize(("language", "words"), [("fa", "ویژگی فنی 'weight_g' عدد است"),
                                                 ("vi", "Thuộc tính 'weight_g' là một số")])
def test_a_typed_attributes_refusal_is_in_the_readers_language(manager_client, app, language, words):
    manager_client.get(f"/language/{language}")
    for data in ({"field": "add-attribute", "value": "weight_g", "kind": "number"},
                 {"field": "attribute.weight_g", "value": "heavy"}):
        response = manager_client.post(FORM_URL, headers=HTMX, data={
            "target": "option", "feature": "frame", "option": "carbon", **data})
    assert response.status_code == 400
    shown = refusal(response)
    assert words in shown
    assert english_left(shown, "Attribute 'weight_g' is a number, such as 1800 or 2.5, not 'heavy'.") == set()


def test_a_draft_the_form_cannot_read_says_so_in_persian(manager_client, app):
    import sqlalchemy as sa

    from configurator.services.workbench import drafts
    from configurator.store.models import User
    with app.app_context():
        manager = db.session.scalar(sa.select(User).where(User.email == "catalogs@shop.example"))
        drafts.save(db.session, "test-bike", "- just\n- a list\n", manager)
    manager_client.get("/language/fa")
    page = unescape(manager_client.get(FORM_URL).get_data(as_text=True))
    shown = re.search(r'id="form-problem"><p>(.*?)</p>', page, re.S).group(1)
    assert "این YAML کاتالوگ نیست" in shown
    assert english_left(shown, "The YAML is not a catalog (a mapping with features and constraints).") == set()


RELEASE_URL = "/staff/catalogs/test-bike/release"


def diff_rows(page: str) -> dict[str, list[str]]:
    """The release diff's rows by the changed thing's name: [before, after] as shown."""
    table = re.search(r'<table class="lines list" id="release-diff">(.*?)</table>', page, re.S).group(1)
    rows = {}
    for row in re.findall(r"<tr class=\"change-\w+\">(.*?)</tr>", table, re.S):
        cells = [unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
        rows[f"{cells[0]} {cells[2]}"] = cells[3:]
    return rows


@pytest.mark.parametrize(("language", "price", "was", "steel", "frame"), [
    ("fa", "قیمت frame=carbon", ["۶۴۰٫۰۰", "۷۰۰٫۰۰"], "Steel، ۸۰٫۰۰",
     "Frame (محصول، ۰ تا ۲ انتخاب می‌شود، پیش‌فرض alu)"),
    ("vi", "giá frame=carbon", ["640,00", "700,00"], "Steel, 80,00",
     "Frame (sản phẩm, chọn từ 0 đến 2, mặc định alu)"),
])
def test_the_release_diff_is_in_the_readers_language_and_digits(manager_client, language, price, was,
                                                                steel, frame):
    from tests.services.workbench_factories import DRAFT_TEXT

    changed = DRAFT_TEXT.replace("    choose: one\n    default: alu", "    choose: {min: 0, max: 2}\n    default: alu")
    manager_client.get(f"/language/{language}")
    manager_client.post("/staff/catalogs/test-bike/draft", data={"text": changed})
    rows = diff_rows(manager_client.get(RELEASE_URL).get_data(as_text=True))
    assert rows[price] == was
    assert steel in [before for before, _after in rows.values()]
    [feature] = [after for before, after in rows.values() if after.startswith("Frame (")]
    assert feature == frame
    assert english_left(feature, "Frame (product, choose 0 to 2, default alu)") == {"Frame", "alu"}  # the catalog's own name and id


# ------------------------------------------------------------------ the engine's own problems

DRAFT_CHECK_URL = "/staff/catalogs/test-bike/draft/check"


def engine_codes() -> set[str]:
    """Every message code the engine writes with `said("...")` (its English template)."""
    import ast
    from pathlib import Path

    import configurator.engine as engine

    codes = set()
    for path in Path(engine.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "said"
                    and node.args and isinstance(node.args[0], ast.Constant)):
                codes.add(node.args[0].value)
    return codes


@pytest.mark.parametrize("language", ["fa", "vi"])
def test_every_engine_message_code_has_a_translation(language):
    from babel.messages.pofile import read_po

    from tests.web.test_i18n import TRANSLATIONS

    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as po:
        translated = {m.id for m in read_po(po) if m.id and m.string}
    codes = engine_codes()
    assert len(codes) > 40  # the walk found them
    assert sorted(codes - translated) == []


def test_an_engine_problem_keeps_its_english_word_for_word_with_a_code():
    from configurator.engine import Catalog, CatalogError

    broken = BIKE_TEXT.replace("if: frame == carbon", "if: colour == carbon")
    with pytest.raises(CatalogError) as refused:
        Catalog.from_text(broken, path="bike.yaml")
    [problem] = refused.value.problems
    assert str(problem) == "bike.yaml: constraint 'carbon-needs-disc' (#1): in 'if', unknown feature 'colour'"
    assert problem.code == "in '%(key)s', %(problem)s"
    assert problem.params["key"] == "if" and problem.params["problem"].code == "unknown feature '%(feature)s'"


# A draft with one of each: a rule naming an unknown feature, a negative price and a
# default that is not an option (problems), and, valid, a rule whose case never arises.
BROKEN = (BIKE_TEXT.replace("if: frame == carbon", "if: colour == carbon")
          .replace("{id: bell, name: Bell, price: 5.00}", "{id: bell, name: Bell, price: -5.00}")
          .replace("default: alu", "default: gold"))
NEVER = BIKE_TEXT + "  - id: never\n    forbid: frame == carbon and brakes == rim\n"


@pytest.mark.parametrize(("language", "broken", "never"), [
    ("fa", ["ویژگی ناشناختهٔ 'colour'", "قیمت -5.0 منفی است", "گزینه‌ای از این ویژگی نیست"],
     "حالتی که منع می‌کند با قاعده‌های دیگر هرگز پیش نمی‌آید"),
    ("vi", ["tính năng không xác định 'colour'", "giá -5.0 là số âm", "không phải là tùy chọn của tính năng này"],
     "trường hợp nó cấm không bao giờ xảy ra với các quy tắc khác"),
])
def test_the_check_panel_writes_the_engines_problems_in_the_readers_language(manager_client, language,
                                                                              broken, never):
    manager_client.get(f"/language/{language}")
    for text, expected, english in (
        (BROKEN, broken, ["unknown feature", "is negative", "is not an option of this feature"]),
        (NEVER, [never], ["the case it forbids can never arise"]),
    ):
        response = manager_client.post(DRAFT_CHECK_URL, data={"text": text}, headers=HTMX)
        assert response.status_code == 200
        page = unescape(response.get_data(as_text=True))
        for words in expected:
            assert words in page, (language, words)
        for words in english:
            assert words not in page, (language, words)
    if language == "fa":  # the heading counts the problems in Persian digits
        assert "۳ مشکل" in unescape(manager_client.post(DRAFT_CHECK_URL, data={"text": BROKEN},
                                                          headers=HTMX).get_data(as_text=True))


@pytest.mark.parametrize(("language", "words"), [
    ("fa", ["کاتالوگ ایراد دارد", "چیزی تغییر نکرد", "ویژگی ناشناختهٔ 'colour'"]),
    ("vi", ["danh mục có vấn đề", "không có gì thay đổi", "tính năng không xác định 'colour'"]),
])
def test_a_refused_upload_lists_the_problems_in_the_readers_language(app, client, auth, language, words):
    from io import BytesIO

    with app.app_context():
        gen_staff(db.session, "admin", "admin@shop.example")
    client.get(f"/language/{language}")
    auth.signin("admin@shop.example")
    response = client.post("/staff/catalogs", data={"catalog_file": (BytesIO(BROKEN.encode()), "bike.yaml")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    page = unescape(response.get_data(as_text=True))
    for text in words:
        assert text in page, text
    assert "unknown feature" not in page and "the catalog has problems" not in page


# A weight no total can hold: the engine refuses to compile the rule (a limit of the compiler).
ABSURD_WEIGHT = (BIKE_TEXT.replace("{id: carbon, name: Carbon, price: 640.00}",
                                   "{id: carbon, name: Carbon, price: 640.00, attributes: {weight_g: " + "9" * 50 + "}}")
                 + "  - id: light-enough\n    require: sum(weight_g) <= 20000\n")


@pytest.mark.parametrize(("language", "words", "digits"), [
    ("fa", "عبارت عددی sum(weight_g) به جمع‌هایی فراتر از", "۹٬۲۲۳٬۳۷۲"),
    ("vi", "số hạng sum(weight_g) đạt tới tổng vượt quá", "9.223.372"),
])
def test_a_compile_limit_on_the_check_panel_is_in_the_readers_language(manager_client, language, words, digits):
    manager_client.get(f"/language/{language}")
    response = manager_client.post(DRAFT_CHECK_URL, data={"text": ABSURD_WEIGHT}, headers=HTMX)
    assert response.status_code == 200
    page = unescape(response.get_data(as_text=True))
    assert words in page and digits in page, page[:2000]
    for english in ("numeric term", "reaches totals beyond", "use smaller attribute values"):
        assert english not in page
