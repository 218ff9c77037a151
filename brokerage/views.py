"""Pages of the platform as a whole: the home page that leads to each network."""

from django.shortcuts import render

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
