from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="PreflightRun",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("ran_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                ("ok", models.BooleanField(help_text="No check failed (warnings allowed).")),
                ("checks", models.JSONField(default=list)),
            ],
            options={"ordering": ["-ran_at"], "verbose_name": "AWS preflight run"},
        ),
    ]
