"""The PDF of a quote e-mail, made by the worker when the e-mail goes (issue 15):
the print page's HTML as the recipient reads it, in their language, through
WeasyPrint. Sending a quote only writes the e-mail with a pending PDF, so the
staff request answers at once; `configurator worker` gets this maker from the
command line (`cli_app`), the one place allowed to build the web app.
"""

from __future__ import annotations

from flask import Flask
from flask_babel import force_locale

from configurator.services import quotes
from configurator.services.messages.delivery import AttachmentMaker
from configurator.store.models import User
from configurator.store.quotes import QuoteRecord
from configurator.web.database import db
from configurator.web.pdf import html_to_pdf
from configurator.web.staff.routes import printable_html


def pdf_attachments(app: Flask) -> AttachmentMaker:
    """The maker of quote e-mails' pending PDFs, rendering with `app`'s templates."""

    def render(record: QuoteRecord, recipient: User) -> bytes:
        # A request context: the print page's template reads the request (?prices=0).
        with app.test_request_context("/"), force_locale(recipient.locale or "en"):
            document = quotes.printing.printable(db.session, recipient, record.id,
                                                 language=recipient.locale)
            return html_to_pdf(printable_html(document))

    return quotes.sending.pdf_attachments(render)
