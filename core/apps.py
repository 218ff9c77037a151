from django.apps import AppConfig
from django.core.signals import request_finished, request_started


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from core import access

        # Who the viewer is is read once per request, never carried over to the next one.
        request_started.connect(access.viewers_begin, dispatch_uid="core.access.begin")
        request_finished.connect(access.viewers_end, dispatch_uid="core.access.end")
