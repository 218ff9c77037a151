"""Production hardening on top of the shared settings: HTTPS only, secure cookies, a real secret."""

import sys

from django.core.exceptions import ImproperlyConfigured

from brokerage.proxies import proxy_trust_problem
from brokerage.settings import *  # noqa: F403
from brokerage.settings import INSTALLED_APPS, env

SECRET_KEY = env.str("SECRET_KEY", default="")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be set to at least 50 random characters")
DEBUG = False
# No demo networks, demo accounts or replayed years on a real deployment: without the app
# its `load_demo` and `replay_year` commands do not exist.
INSTALLED_APPS = [app for app in INSTALLED_APPS if app != "demo"]

# TLS ends at a reverse proxy unless BEHIND_PROXY=false; behind one, the client's address
# is what the last TRUSTED_PROXY_COUNT proxies wrote, and with none the settings refuse.
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=True)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
_proxy_problem = proxy_trust_problem(sys.modules[__name__])
if _proxy_problem:
    raise ImproperlyConfigured(_proxy_problem)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
# Pages read the CSRF token from their forms, never from the cookie: scripts need not see it.
CSRF_COOKIE_HTTPONLY = True
# The __Host- prefix makes browsers refuse the cookie unless it is Secure, for this host
# only and for every path: no subdomain can set or shadow it.
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
X_FRAME_OPTIONS = "DENY"
