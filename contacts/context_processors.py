from django.conf import settings


def portal(request):
    return {
        "SITE_NAME": settings.SITE_NAME,
        "WELLBEING_LINE": settings.WELLBEING_LINE,
    }
