from django.db import migrations


def create_system_sender(apps, schema_editor):
    """The portal's own 4040 sends one-time codes and notices from day one."""
    SenderNumber = apps.get_model("sms", "SenderNumber")
    SenderNumber.objects.get_or_create(
        number="4040",
        defaults={"owner_label": "پیام ایران (سامانه‌ی ملی پیام‌رسانی رسمی)", "kind": "system"},
    )


class Migration(migrations.Migration):
    dependencies = [("sms", "0001_initial")]

    operations = [migrations.RunPython(create_system_sender, migrations.RunPython.noop)]
