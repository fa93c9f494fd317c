"""Calendar arithmetic for validities, terms, deadlines and escalations.

"The same day N years (or months) later" does not exist for 29 February or the 31st of a short month; the rule
here, as in everyday administrative practice, is the last day of that month (29 February 2024 + 5 years is
28 February 2029). dateutil's relativedelta implements exactly that clamp, so every place that adds years or
months goes through these two functions instead of ``date.replace``.
"""

from datetime import date

from dateutil.relativedelta import relativedelta


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later (or earlier, when negative); 29 February falls back to 28 February."""
    return day + relativedelta(years=years)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (or earlier); a day past the month's end falls back to its last day."""
    return day + relativedelta(months=months)
