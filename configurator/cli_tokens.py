"""`configurator token create|list|revoke`: personal API tokens, for operators.

The raw token is printed once on stdout (and nowhere else); errors are one
line on stderr with exit status 2.
"""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta

from configurator.config import database_url


def register(commands: argparse._SubParsersAction) -> None:
    """Add `token create`, `token list` and `token revoke`."""
    token = commands.add_parser("token", help="personal API tokens")
    sub = token.add_subparsers(dest="token_command", metavar="SUBCOMMAND", parser_class=type(token))
    sub.required = True

    create = sub.add_parser("create", help="create a token and print it (shown once)")
    create.add_argument("--email", required=True, help="the user the token acts as")
    create.add_argument(
        "--scope",
        action="append",
        required=True,
        metavar="SCOPE",
        help="a scope to grant (repeat for several), e.g. catalog:read",
    )
    create.add_argument("--name", default="Created on the command line")
    create.add_argument("--expires-days", type=int, help="expire after this many days")
    create.set_defaults(handler=run_create)

    listing = sub.add_parser("list", help="a user's tokens (never their secrets)")
    listing.add_argument("--email", required=True)
    listing.set_defaults(handler=run_list)

    revoke = sub.add_parser("revoke", help="revoke a user's token by its id")
    revoke.add_argument("--email", required=True)
    revoke.add_argument("id", type=int)
    revoke.set_defaults(handler=run_revoke)


def run_create(args: argparse.Namespace) -> int:
    """Create the token and print the raw secret."""
    from configurator.services import api_tokens
    from configurator.services.errors import ServiceError
    from configurator.store.types import utcnow

    with _session() as session:
        user = _user(session, args.email)
        if user is None:
            return 2
        if args.expires_days is not None and args.expires_days < 1:
            print("configurator token: --expires-days must be at least 1", file=sys.stderr)
            return 2
        expires_at = utcnow() + timedelta(days=args.expires_days) if args.expires_days else None
        try:
            token, raw = api_tokens.create(
                session, user, args.name, args.scope, expires_at=expires_at
            )
        except ServiceError as error:
            print(f"configurator token: {error}", file=sys.stderr)
            return 2
    print(raw)
    print(f"token {token.id} for {user.email}: {token.scopes} (shown once)", file=sys.stderr)
    return 0


def run_list(args: argparse.Namespace) -> int:
    """One line per token: id, prefix, state, scopes, name."""
    from configurator.services import api_tokens
    from configurator.store.types import utcnow

    with _session() as session:
        user = _user(session, args.email)
        if user is None:
            return 2
        now = utcnow()
        for token in api_tokens.list_for(session, user):
            state = "active" if token.is_usable(now) else "revoked/expired"
            print(f"{token.id}\tcfg_{token.prefix}_…\t{state}\t{token.scopes}\t{token.name}")
    return 0


def run_revoke(args: argparse.Namespace) -> int:
    """Revoke the token; it stops working at once."""
    from configurator.services import api_tokens
    from configurator.services.errors import NotFound

    with _session() as session:
        user = _user(session, args.email)
        if user is None:
            return 2
        try:
            token = api_tokens.revoke(session, user, args.id)
        except NotFound:
            print(f"configurator token: {args.email} has no token {args.id}", file=sys.stderr)
            return 2
    print(f"token {token.id} revoked")
    return 0


def _session():
    from configurator.store import session_factory

    return session_factory(database_url())()


def _user(session, email: str):
    from configurator.services import api_tokens

    user = api_tokens.user_by_email(session, email)
    if user is None:
        print(f"configurator token: no user with the email {email}", file=sys.stderr)
    return user
