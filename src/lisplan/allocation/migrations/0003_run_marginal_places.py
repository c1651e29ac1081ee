from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("allocation", "0002_allocation_policy_and_run_queue_weight"),
    ]

    operations = [
        migrations.AddField(
            model_name="allocationrun",
            name="marginal",
            field=models.JSONField(blank=True, null=True, verbose_name="én plass til"),
        ),
    ]
