"""factory_boy factories for the domain models."""

import datetime

import factory

from portail.accounts import rules
from portail.accounts.models import Landlord, User
from portail.portfolios.models import Grant, Portfolio, Tenancy
from portail.portfolios.selectors import forget_tenancy_counts
from portail.rents.models import JulyRent

PASSWORD = "Un-mot-de-passe-solide-42"


class LandlordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Landlord

    ref = factory.Sequence(lambda n: f"B{n:06d}")
    kind = Landlord.Kind.NATURAL
    name = factory.Sequence(lambda n: f"Bailleur {n}")
    address_line1 = "12 rue des Lilas"
    postcode = "13001"
    city = "Marseille"


class LegalLandlordFactory(LandlordFactory):
    kind = Landlord.Kind.LEGAL
    # Valid SIRETs (SIREN and whole number carry a Luhn key), one per landlord.
    siret = factory.Sequence(lambda n: _siret(n))


def _siret(n: int) -> str:
    from stdnum import luhn

    siren = f"{n:08d}"
    siren += luhn.calc_check_digit(siren)
    body = siren + "0001"
    return body + luhn.calc_check_digit(body)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    identifier = factory.Sequence(lambda n: rules.format_identifier(200000 + n))
    user_number = factory.Sequence(lambda n: rules.format_user_number(30000000 + n))
    landlord = factory.SubFactory(LandlordFactory)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class PortfolioFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Portfolio

    ref = factory.Sequence(lambda n: f"P{n:06d}")
    landlord = factory.SubFactory(LandlordFactory)
    name = factory.Sequence(lambda n: f"Parc {n}")


class TenancyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenancy
        skip_postgeneration_save = True

    recipient_number = factory.Sequence(lambda n: f"{5000000 + n}")
    portfolio = factory.SubFactory(PortfolioFactory)
    tenant_name = factory.Sequence(lambda n: f"Locataire {n}")
    dwelling_address = "3 rue Victor Hugo, 13001 Marseille"
    start_date = datetime.date(2020, 1, 1)

    @factory.post_generation
    def forget_count(obj, create, extracted, **kwargs):
        # As the feed does after adding tenancies: the tenant list's cached total follows.
        forget_tenancy_counts({obj.portfolio_id})


class GrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grant

    right = Grant.Right.DECLARE


class JulyRentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JulyRent

    tenancy = factory.SubFactory(TenancyFactory)
    year = 2025
    amount = "650.50"
    source = JulyRent.Source.FEED
