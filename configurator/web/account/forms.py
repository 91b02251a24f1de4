"""The account's forms: choosing two revisions to compare."""

from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange


class DiffForm(FlaskForm):
    """Two revision numbers (read from the query string)."""

    class Meta:
        csrf = False  # a GET that changes nothing

    a = IntegerField("From revision", validators=[InputRequired(), NumberRange(min=1)])
    b = IntegerField("To revision", validators=[InputRequired(), NumberRange(min=1)])
