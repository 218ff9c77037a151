"""Moving a model to another app without copying its rows.

A model that changes app keeps its table (``Meta.db_table``), so its migration changes only
Django's state (``SeparateDatabaseAndState``). Its content type is renamed to the new app
in the same step, so permissions and admin history that point at it keep pointing at it.
"""

from django.db import migrations


def content_types_move(*, from_app: str, to_app: str, models: list[str]) -> migrations.RunPython:
    """An operation that relabels the models' content types from one app to the other."""

    def relabel(source: str, target: str):
        def run(apps, schema_editor) -> None:
            content_type = apps.get_model("contenttypes", "ContentType")
            # A content type already made under the new label (a database that ran the
            # new code before this migration) is left as it is: relabelling would collide.
            taken = content_type.objects.filter(app_label=target).values("model")
            content_type.objects.filter(app_label=source, model__in=models).exclude(
                model__in=taken
            ).update(app_label=target)

        return run

    return migrations.RunPython(relabel(from_app, to_app), relabel(to_app, from_app))
