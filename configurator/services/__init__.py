"""Use cases of the shop: each takes a session and plain values, owns its
transaction, and returns store objects or plain dataclasses. No HTTP here."""
