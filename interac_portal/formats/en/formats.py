"""The portal's one way of writing a date in English: "Tue 8 Dec 2026, 14:00" (settings.FORMAT_MODULE_PATH).

Pages, emails, the admin and the calendar feed all write dates through these
formats (`core.formats` in Python, `|date:"DATE_FORMAT"` / `"DATETIME_FORMAT"` in
Django's templates, `|date` / `|datetime` in Jinja2). Input formats are Django's
(ISO YYYY-MM-DD first): only the display changes.
"""

DATE_FORMAT = "D j M Y"  # Tue 8 Dec 2026
TIME_FORMAT = "H:i"  # 14:00
DATETIME_FORMAT = "D j M Y, H:i"  # Tue 8 Dec 2026, 14:00
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
YEAR_MONTH_FORMAT = "M Y"  # Dec 2026
MONTH_DAY_FORMAT = "D j M"  # Tue 8 Dec
