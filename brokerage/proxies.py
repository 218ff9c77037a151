"""Behind a reverse proxy, who the client is: a configuration that cannot tell is refused.

Rate limits and the login lockout count per client address (`brokerage.throttles`). Behind
a proxy every request comes from the proxy's address, and the client's is only in the
X-Forwarded-For entries that our own proxies appended: TRUSTED_PROXY_COUNT says how many.
A configuration that trusts a proxy (for the scheme, the host or the port, or declared
with BEHIND_PROXY) while TRUSTED_PROXY_COUNT is 0 would put every client in one rate
limit and one lockout: one stranger's failed logins would lock everyone out. Production
settings refuse to load with it, and the system check `brokerage.E001` reports it for
any settings module.
"""

from django.core import checks

PROXY_TRUSTING_SETTINGS = (
    "BEHIND_PROXY",
    "SECURE_PROXY_SSL_HEADER",
    "USE_X_FORWARDED_HOST",
    "USE_X_FORWARDED_PORT",
)


def proxy_trust_problem(settings) -> str | None:
    """Return why the settings cannot identify clients behind the proxy they trust, or None.

    `settings` is anything with the settings as attributes: django.conf.settings, or a
    settings module while it loads.
    """
    trusted_by = [name for name in PROXY_TRUSTING_SETTINGS if getattr(settings, name, None)]
    if trusted_by and getattr(settings, "TRUSTED_PROXY_COUNT", 0) < 1:
        return (
            f"The settings trust a reverse proxy ({', '.join(trusted_by)}), but "
            "TRUSTED_PROXY_COUNT is 0: "
            "every client would share the proxy's address, one rate limit and one login "
            "lockout. Set TRUSTED_PROXY_COUNT to the number of proxies that append to "
            "X-Forwarded-For, or BEHIND_PROXY=false when clients connect directly."
        )
    return None


@checks.register(checks.Tags.security)
def check_clients_identifiable(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """Report a configuration that trusts a proxy but cannot tell its clients apart."""
    from django.conf import settings

    problem = proxy_trust_problem(settings)
    return [checks.Error(problem, id="brokerage.E001")] if problem else []
