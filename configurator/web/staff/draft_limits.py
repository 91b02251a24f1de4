"""How large a body a catalog manager may send to the draft editor.

For everyone, the app refuses bodies over MAX_CONTENT_LENGTH (4 MiB) and text
fields of a multipart form over MAX_FORM_MEMORY_SIZE (500 kB). A product line's draft
may be bigger (Renault big is 6.9 MB of JSON, and a text sent as a form field
grows with its percent-encoding), so the editor's saving and checking routes
raise both limits for those who may edit catalogs, and for no one else.

It has to happen before anything reads the body: CSRF protection reads the
form in its own before-request hook, so `register` is called before CSRF is
set up (hooks run in the order they were registered).
"""

from __future__ import annotations

from flask import Flask, request
from flask_login import current_user

from configurator.services.workbench.drafts import MAX_DRAFT_CHARS

DRAFT_ENDPOINTS = frozenset({"staff.draft_save", "staff.draft_check"})
# A text of MAX_DRAFT_CHARS characters, percent-encoded as a form posts it (a
# quote, brace or line break becomes three bytes), or uploaded with its form.
MAX_DRAFT_BODY_BYTES = 3 * MAX_DRAFT_CHARS


def register(app: Flask) -> None:
    """Raise the body limits of the draft editor's routes for catalog editors (before CSRF reads the form)."""
    app.before_request(raise_for_catalog_editors)


def raise_for_catalog_editors() -> None:
    """A catalog manager's or administrator's draft may be as large as a draft may be."""
    if request.endpoint not in DRAFT_ENDPOINTS or not current_user.is_authenticated:
        return
    if current_user.can_edit_catalogs:
        request.max_content_length = MAX_DRAFT_BODY_BYTES
        request.max_form_memory_size = MAX_DRAFT_BODY_BYTES
