"""The person's language: remembered on their profile, applied at login and on every switch.

A visitor's choice lives in Django's language cookie only. A person who logs in gets the
language of their profile (the one their notifications are written in), on this device and
any other; switching while logged in changes the profile too.
"""

from django.conf import settings
from django.contrib.auth.views import LoginView
from django.utils import translation
from django.views.i18n import set_language

from members.models import User
from members.services import person_language_set


def remember_language_in_cookie(response, language: str) -> None:
    """Set Django's language cookie on a response, with the cookie settings Django uses."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class LanguageRememberingLoginView(LoginView):
    """Log a person in and switch the site to the language of their profile."""

    def form_valid(self, form):
        response = super().form_valid(form)
        language = form.get_user().language
        if language in User.Language.values:
            translation.activate(language)
            remember_language_in_cookie(response, language)
        return response


def language_switch(request):
    """Switch the language (Django's set_language), and remember it on the person's profile."""
    response = set_language(request)
    language = request.POST.get("language", "")
    switched = request.method == "POST" and translation.check_for_language(language)
    if switched and request.user.is_authenticated and language in User.Language.values:
        person_language_set(person=request.user, language=language)
    return response
