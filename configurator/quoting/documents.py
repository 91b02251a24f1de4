"""The seller as printed on quotes (and later invoices).

The documents themselves are HTML print pages; the web layer turns the same
HTML into a PDF (configurator/web/pdf.py), so paper and screen never differ.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Company:
    """The seller as printed on the quote, with its terms and conditions."""

    name: str
    address: tuple[str, ...] = ()
    vat_id: str = ""
    terms: str = ""


__all__ = ["Company"]
