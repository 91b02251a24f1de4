"""Sign-up and sign-in forms."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField

try:  # WTForms 3.3 prefers SelectChoice to (value, label) tuples
    from wtforms import SelectChoice
except ImportError:  # pragma: no cover - older WTForms

    def SelectChoice(value, label):
        return (value, label)


from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

# A light check; the real proof of an address is mail reaching it.
EMAIL = Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message="That does not look like an email address.")


class SignInForm(FlaskForm):
    """Email and password."""

    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired()])


class SignUpForm(FlaskForm):
    """A new customer account."""

    name = StringField("Your name", validators=[DataRequired(), Length(max=120)])
    email = EmailField("Email", validators=[DataRequired(), EMAIL, Length(max=254)])
    password = PasswordField(
        "Password", validators=[DataRequired(), Length(min=8, message="Use at least 8 characters.")]
    )
    confirm = PasswordField(
        "Repeat the password",
        validators=[DataRequired(), EqualTo("password", message="The passwords differ.")],
    )
    segment = SelectField(
        "You buy as",
        choices=[
            SelectChoice("consumer", "a private customer"),
            SelectChoice("business", "a business"),
        ],
        default="consumer",
    )
    country = StringField(
        "Country code",
        validators=[Optional(), Regexp(r"^[A-Za-z]{2}$", message="Two letters, like DE or FR.")],
    )
