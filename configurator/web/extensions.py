"""Flask extensions, created here and bound to the app in `create_app`."""

from flask_htmx import HTMX
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
htmx = HTMX()
login_manager = LoginManager()
login_manager.login_view = "auth.signin"
login_manager.login_message = "Please sign in to see this page."
login_manager.login_message_category = "info"
# No default limits: each limited route says its own. Storage comes from
# RATELIMIT_STORAGE_URI (memory:// unless configured, redis://... for several
# processes or hosts, which must share their counters).
limiter = Limiter(key_func=get_remote_address)
