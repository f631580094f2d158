"""Build, rebuild or check the kept states of tenancies in a campaign (rents.campaign_state).

manage.py rebuild_campaign_state             # the current campaign year (turn of year)
manage.py rebuild_campaign_state --year 2027 # prepare or rebuild another year
manage.py rebuild_campaign_state --check     # compare with a recomputation, change nothing
"""

from django.core.management.base import BaseCommand, CommandError

from portail.common import clock
from portail.rents import campaign_years, rules


class Command(BaseCommand):
    help = (
        "Build the states of every tenancy in a campaign year (run at the campaign's turn of "
        "year, 1 July), or with --check compare the kept states and counts with a "
        "recomputation and exit with an error when they differ."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="the campaign year (default: the current)")
        parser.add_argument("--check", action="store_true", help="verify only, change nothing")

    def handle(self, *args, year=None, check=False, **options):
        today = clock.today()
        year = year or rules.campaign_year(today)
        if year not in rules.campaign_years(today):
            years = rules.campaign_years(today)
            raise CommandError(f"no campaign {year}: choose a year from {years[0]} to {years[-1]}")
        if check:
            problems = campaign_years.verify_year(year)
            for problem in problems[:50]:
                self.stdout.write(problem)
            if problems:
                raise CommandError(f"{len(problems)} differences in the states of {year}")
            self.stdout.write(f"The states and counts of {year} agree with the rule.")
            return
        count = campaign_years.build_year(year)
        self.stdout.write(f"{count} states built for the campaign {year}.")
