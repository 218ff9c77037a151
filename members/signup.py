"""Customers' accounts: signing up online, or created by the office for a fax request."""

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from core.errors import Refusal
from members.models import User


def username_for(email: str) -> str:
    base = email.split("@", 1)[0].lower()[:100] or "customer"
    candidate = base
    while User.objects.filter(username=candidate).exists():
        candidate = f"{base}-{get_random_string(4, 'abcdefghjkmnpqrstuvwxyz23456789')}"
    return candidate


@transaction.atomic
def customer_register(
    *,
    email: str,
    name: str,
    password: str | None,
    organization: str = "",
    customer_type: str = User.CustomerType.COMPANY,
    language: str = User.Language.JA,
    username: str = "",
) -> User:
    """Create a customer's account; without a password it cannot log in until reset."""
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise Refusal(_("An account with this e-mail exists; please log in."), field="email")
    if username and User.objects.filter(username=username).exists():
        raise Refusal(_("This username is taken."), field="username")
    user = User(
        username=username or username_for(email),
        email=email,
        first_name=name.strip()[:150],
        organization=organization.strip(),
        customer_type=customer_type,
        language=language,
    )
    if password:
        validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return user
