"""Arrived ALTs get the new steps (pension, My Number card), and every open step a due date."""

from datetime import timedelta

from django.db import migrations

# Days after arrival, as in onboarding/checklist.py when this migration was written.
DUE_DAYS = {
    "MEET_MC": 7,
    "CITY_HALL": 14,
    "HEALTH_INSURANCE": 14,
    "PENSION": 14,
    "MOBILE_PHONE": 21,
    "BANK_ACCOUNT": 28,
    "ORIENTATION": 30,
    "MY_NUMBER": 60,
}


def forwards(apps, schema_editor):
    Placement = apps.get_model("onboarding", "Placement")
    ChecklistItem = apps.get_model("onboarding", "ChecklistItem")
    by_arrival = {}
    for alt_id, arrival in Placement.objects.filter(stage="ARRIVED", arrival_date__isnull=False).values_list(
        "alt_id", "arrival_date"
    ):
        by_arrival.setdefault(arrival, []).append(alt_id)
    # A statement per arrival day and step, not per ALT: ALTs arrive in intakes.
    for arrival, alt_ids in by_arrival.items():
        ChecklistItem.objects.bulk_create(
            [ChecklistItem(alt_id=alt_id, kind=kind) for alt_id in alt_ids for kind in DUE_DAYS],
            ignore_conflicts=True,
            batch_size=500,
        )
        for start in range(0, len(alt_ids), 900):
            chunk = alt_ids[start : start + 900]
            for kind, days in DUE_DAYS.items():
                ChecklistItem.objects.filter(alt_id__in=chunk, kind=kind, due_on__isnull=True).update(
                    due_on=arrival + timedelta(days=days)
                )


class Migration(migrations.Migration):
    dependencies = [("onboarding", "0002_handover_and_checklist_deadlines")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
