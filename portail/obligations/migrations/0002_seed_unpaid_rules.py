"""Seed the two unpaid-rent rules of issue 13; staff add the next ones in the admin."""

import datetime
from decimal import Decimal

from django.db import migrations

RULES = [
    {
        "valid_from": datetime.date(2000, 1, 1),
        "kind": "arrears_multiple",
        "months_of_rent": 2,
        "report_within_months": 2,
        "source": (
            "Règle applicable jusqu'au 31 décembre 2026 (page de la Caf « Signaler un impayé "
            "de loyer ») : l'impayé est constitué lorsque la dette atteint 2 fois le montant "
            "mensuel du loyer et des charges, diminué de l'aide au logement lorsqu'elle est "
            "versée au bailleur (exemple de la Caf : loyer 280 €, charges 20 €, aide 50 € : "
            "500 € ; 600 € lorsque l'aide est versée au locataire). Le bailleur le signale "
            "dans les 2 mois."
        ),
    },
    {
        "valid_from": datetime.date(2027, 1, 1),
        "kind": "amount_or_months",
        "amount": Decimal("450.00"),
        "missed_months": 3,
        "report_within_months": 2,
        "source": (
            "À partir du 1er janvier 2027 (décrets n° 2026-83 et n° 2026-84, tels que "
            "rapportés ; la Caf en confirme la rédaction ici) : l'impayé est constitué dès que "
            "la dette de loyer et de charges dépasse 450 €, ou après 3 mois sans paiement. "
            "Le bailleur le signale dans les 2 mois."
        ),
    },
]


def seed(apps, schema_editor):
    Rule = apps.get_model("obligations", "UnpaidRentRule")
    for rule in RULES:
        Rule.objects.get_or_create(valid_from=rule["valid_from"], defaults=rule)


def unseed(apps, schema_editor):
    Rule = apps.get_model("obligations", "UnpaidRentRule")
    Rule.objects.filter(valid_from__in=[rule["valid_from"] for rule in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("obligations", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
