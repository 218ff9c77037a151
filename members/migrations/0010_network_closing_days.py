import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """A network's own holidays become the closing days its office manages; the national
    holidays come from the country's calendar."""

    dependencies = [
        ("members", "0009_network_key_in_backdate_hours"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="networkholiday",
            name="holiday_once_per_network",
        ),
        migrations.RenameModel(old_name="NetworkHoliday", new_name="NetworkClosingDay"),
        migrations.AlterModelOptions(
            name="networkclosingday",
            options={
                "ordering": ["date"],
                "verbose_name": "closing day",
                "verbose_name_plural": "closing days",
            },
        ),
        migrations.AlterField(
            model_name="networkclosingday",
            name="network",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="closing_days",
                to="members.network",
            ),
        ),
        migrations.AddConstraint(
            model_name="networkclosingday",
            constraint=models.UniqueConstraint(
                fields=("network", "date"), name="closing_day_once_per_network"
            ),
        ),
    ]
