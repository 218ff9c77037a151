"""Pages of the platform as a whole: the home page that leads to each network, its icon."""

from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import cache_control

from members.selectors import memberships_of_user, network_list_public


def home(request):
    return render(
        request,
        "brokerage/home.html",
        {
            "networks": network_list_public().order_by("slug"),
            "memberships": memberships_of_user(user=request.user),
        },
    )


@cache_control(max_age=60 * 60 * 24, public=True)
def favicon(request):
    """Lead whatever asks for /favicon.ico (every browser does, pages or not) to the icon.

    The pages name it with <link rel="icon">; the static files serve it under a name that
    changes with its content, so the redirect is kept a day and the file for good.
    """
    return redirect(static("favicon.ico"))
