"""Quizzes: a daily attempt limit (default 3) instead of a lifetime one, a question pool drawn per attempt,
and each attempt's number and questions kept with it."""

from django.db import migrations, models


def number_existing_attempts(apps, schema_editor):
    QuizAttempt = apps.get_model("onboarding", "QuizAttempt")
    last = {}
    updated = []
    for attempt in QuizAttempt.objects.order_by("enrolment_id", "task_id", "created", "pk").only(
        "pk", "enrolment_id", "task_id"
    ):
        key = (attempt.enrolment_id, attempt.task_id)
        last[key] = attempt.number = last.get(key, 0) + 1
        updated.append(attempt)
    QuizAttempt.objects.bulk_update(updated, ["number"], batch_size=1000)


def limit_unlimited_quizzes(apps, schema_editor):
    # 0 ("no limit") was the old default, set by nobody in particular: quizzes get the new default.
    apps.get_model("onboarding", "Task").objects.filter(attempts_per_day=0).update(attempts_per_day=3)


class Migration(migrations.Migration):
    dependencies = [
        ("onboarding", "0003_checklist_due_dates"),
    ]

    operations = [
        migrations.RenameField(model_name="task", old_name="max_attempts", new_name="attempts_per_day"),
        migrations.AlterField(
            model_name="task",
            name="attempts_per_day",
            field=models.PositiveSmallIntegerField(
                default=3,
                help_text="For quizzes: failed attempts allowed each day, counted in Japan time. 0 for no limit.",
                verbose_name="attempts a day",
            ),
        ),
        migrations.RunPython(limit_unlimited_quizzes, migrations.RunPython.noop),
        migrations.AddField(
            model_name="task",
            name="questions_per_attempt",
            field=models.PositiveSmallIntegerField(
                default=0,
                help_text=(
                    "For quizzes: each attempt draws this many of the quiz's questions. 0 (or more than the quiz "
                    "has) asks them all."
                ),
                verbose_name="questions per attempt",
            ),
        ),
        migrations.AddField(
            model_name="quizattempt",
            name="number",
            field=models.PositiveIntegerField(default=1, verbose_name="attempt number"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="quizattempt",
            name="questions",
            field=models.JSONField(default=list, verbose_name="questions asked"),
        ),
        migrations.RunPython(number_existing_attempts, migrations.RunPython.noop),
        migrations.AlterModelOptions(
            name="quizattempt",
            options={
                "ordering": ["enrolment", "task", "number"],
                "verbose_name": "quiz attempt",
                "verbose_name_plural": "quiz attempts",
            },
        ),
        migrations.AddConstraint(
            model_name="quizattempt",
            constraint=models.UniqueConstraint(fields=("enrolment", "task", "number"), name="attempt_unique_number"),
        ),
    ]
