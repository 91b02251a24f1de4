"""Sign-up and sign-in forms."""

from babel import Locale
from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField

try:  # WTForms 3.3 prefers SelectChoice to (value, label) tuples
    from wtforms import SelectChoice
except ImportError:  # pragma: no cover - older WTForms

    def SelectChoice(value, label):
        return (value, label)


from flask_babel import lazy_gettext as _l
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from configurator.services import checkout

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
    country = SelectField(_l("Country"), validators=[Optional()], validate_choice=True)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = [("", _l("Choose your country"))] + countries()
        if self.country.data:
            self.country.data = self.country.data.lower()


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


def countries() -> list[tuple[str, str]]:
    """(code, name) of every country, named and sorted in the page's language (CLDR via Babel)."""
    locale = Locale.parse(str(get_locale() or "en"))
    english = Locale.parse("en").territories
    names = [
        (code.lower(), locale.territories.get(code) or english[code])
        for code in english
        if len(code) == 2 and code.isalpha() and checkout.delivers_to(code)
    ]
    return sorted(names, key=lambda item: item[1].casefold())

