"""The portal's one way of writing a date in Japanese: "2026年12月8日(火) 14:00" (settings.FORMAT_MODULE_PATH).

The weekday follows the date in brackets, as Japanese writes it ("D" is Django's
abbreviated weekday, "火" in its Japanese catalogue). Input formats are Django's
(ISO YYYY-MM-DD first).
"""

DATE_FORMAT = "Y年n月j日(D)"  # 2026年12月8日(火)
TIME_FORMAT = "H:i"  # 14:00
DATETIME_FORMAT = "Y年n月j日(D) H:i"  # 2026年12月8日(火) 14:00
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
YEAR_MONTH_FORMAT = "Y年n月"  # 2026年12月
MONTH_DAY_FORMAT = "n月j日(D)"  # 12月8日(火)
