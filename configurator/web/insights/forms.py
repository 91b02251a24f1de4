"""Forms of the staff dashboard."""

from flask_wtf import FlaskForm


class RecomputeForm(FlaskForm):
    """Re-value every customer now (the button carries only the CSRF token)."""
