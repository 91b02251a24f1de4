"""A customer's say over their data.

- `consent`: what the customer allows, per purpose (personalized offers,
  service messages, marketing e-mail); the messages and the suggestions ask it.
- `export`: all of a customer's data as one JSON document.
- `erasure`: personal data removed, orders kept anonymised for accounting.

This area reads the store only, so the messages and the suggestions can ask it
without an import cycle.
"""

from configurator.services.privacy import consent, erasure, export

__all__ = ["consent", "erasure", "export"]
