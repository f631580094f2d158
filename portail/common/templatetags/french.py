"""Template filters for French dates, times and amounts: {{ value|date_fr }} (tables and
fields), {{ value|date_long }} (sentences), {{ value|euros }}, {{ count|pluriel }}."""

from django import template

from portail.common import formats

register = template.Library()

register.filter("date_fr", formats.french_date)
register.filter("time_fr", formats.french_time)
register.filter("datetime_fr", formats.french_datetime)
# In running sentences: « 15 janvier 2027 », « 15 janvier 2027 à 14 h 05 ».
register.filter("date_long", formats.french_long_date)
register.filter("datetime_long", formats.french_long_datetime)
register.filter("euros", formats.french_amount)
register.filter("number_fr", formats.french_number)
register.filter("pluriel", formats.french_plural)
