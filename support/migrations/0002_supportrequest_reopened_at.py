from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("support", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="supportrequest",
            name="reopened_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="reopened"),
        ),
    ]
