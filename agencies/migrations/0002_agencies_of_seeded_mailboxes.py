from django.db import migrations


def agencies_of_mailboxes(apps, schema_editor):
    """Before this app, agencies were bare mailboxes of kind "agency" (the first
    demo seeded three). Each becomes an Agency holding its mailbox, with the
    sender registered under its name when there is one free (the demo's 4040123
    of the tax organization, 4040456 of social security). Its national ID and
    details are not on record; an administrator adds them."""
    Mailbox = apps.get_model("mailbox", "Mailbox")
    Agency = apps.get_model("agencies", "Agency")
    SenderNumber = apps.get_model("sms", "SenderNumber")
    taken = set(Agency.objects.exclude(sender=None).values_list("sender_id", flat=True))
    for mailbox in Mailbox.objects.filter(kind="agency", agency__isnull=True).order_by("pk"):
        sender = (
            SenderNumber.objects.filter(owner_label=mailbox.display_name, kind="agency")
            .exclude(pk__in=taken)
            .order_by("pk")
            .first()
        )
        if sender is not None:
            taken.add(sender.pk)
        Agency.objects.create(
            name=mailbox.display_name or f"#{mailbox.pk}", mailbox=mailbox, sender=sender
        )


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(agencies_of_mailboxes, migrations.RunPython.noop),
    ]
