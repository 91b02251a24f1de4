"""Who may open which staff page: any seller role, managers, admins.

A signed-out visitor is sent to sign in; a signed-in customer gets the same
404 as for a page that does not exist (the staff area is not theirs to see);
a staff member without the needed role gets 403 with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user, login_required


def staff_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Any seller-side role: staff, manager or admin."""

    @wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_staff:
            abort(404)
        return view(*args, **kwargs)

    return wrapped


def _role_required(role: str, reason: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        @staff_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_user.role != role:
                abort(403, reason)
            return view(*args, **kwargs)

        return wrapped

    return decorator


manager_required = _role_required("manager", "Only a manager may do this.")


def approver_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Managers and directors: they approve quotes (a director after the manager)."""

    @wraps(view)
    @staff_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_approver:
            abort(403, "Only a manager or a director may do this.")
        return view(*args, **kwargs)

    return wrapped
admin_required = _role_required("admin", "Only an administrator may do this.")


def editor_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Managers and administrators: they keep the business accounts and prices."""

    @wraps(view)
    @staff_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not (current_user.is_manager or current_user.is_admin):
            abort(403, "Only a manager or an administrator may change business accounts.")
        return view(*args, **kwargs)

    return wrapped


def catalog_reader_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Sellers and catalog managers: they may look at catalogs, drafts and releases."""

    @wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.can_read_catalogs:
            abort(404)
        return view(*args, **kwargs)

    return wrapped


def catalog_editor_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Catalog managers and administrators: they edit drafts and release them."""

    @wraps(view)
    @catalog_reader_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.can_edit_catalogs:
            abort(403, "Only a catalog manager may edit or release catalogs.")
        return view(*args, **kwargs)

    return wrapped
