"""Forms of the staff dashboard."""

from flask_wtf import FlaskForm


class RecomputeForm(FlaskForm):
    """Re-value every customer now (the button carries only the CSRF token)."""


class MergeForm(FlaskForm):
    """Confirm a merge, or undo one (only the CSRF token: the URL names the customers)."""
