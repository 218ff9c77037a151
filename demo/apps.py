from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo networks and the year replay: installed by the development settings only.

    Production settings leave it out, so neither `load_demo` nor `replay_year` exists there
    and no demo account can be created on a real deployment by mistake.
    """

    name = "demo"
    verbose_name = "Demo networks and year replay"
