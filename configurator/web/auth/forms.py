"""Sign-up and sign-in forms."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField

try:  # WTForms 3.3 prefers SelectChoice to (value, label) tuples
    from wtforms import SelectChoice
except ImportError:  # pragma: no cover - older WTForms

    def SelectChoice(value, label):
        return (value, label)


from flask_babel import lazy_gettext as _l
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

# A light check; the real proof of an address is mail reaching it.
EMAIL = Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("That does not look like an email address."))


class SignInForm(FlaskForm):
    """Email and password."""

    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


class SignUpForm(FlaskForm):
    """A new customer account."""

    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("Email"), validators=[DataRequired(), EMAIL, Length(max=254)])
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(min=8, message=_l("Use at least 8 characters."))],
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )
    country = StringField(
        _l("Country code"),
        validators=[Optional(), Regexp(r"^[A-Za-z]{2}$", message=_l("Two letters, like DE or FR."))],
    )


class NewPasswordForm(FlaskForm):
    """A new password, typed twice (from a reset or invitation link)."""

    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=8, max=1024, message=_l("Use 8 to 1024 characters."))],
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


class ChangePasswordForm(NewPasswordForm):
    """The current password, then the new one twice."""

    current = PasswordField(_l("Current password"), validators=[DataRequired()])


class ForgotPasswordForm(FlaskForm):
    """The e-mail address of the account whose password was forgotten."""

    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
