from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('rents', '0007_bulkimport_valid_rows_to_lines'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='bulkimport',
            name='valid_rows',
        ),
    ]
