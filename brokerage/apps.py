from django.apps import AppConfig


class BrokerageConfig(AppConfig):
    name = "brokerage"
    verbose_name = "Brokerage"

    def ready(self) -> None:
        from brokerage import proxies  # noqa: F401 - registers its system check
