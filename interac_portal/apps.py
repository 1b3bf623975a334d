from django.apps import AppConfig


def support_visits(*, alt) -> list:
    """The support app's visits of `alt`, as events of the training app's calendar feed."""
    from support.calendar import visit_calendar_events
    from training.calendar import CalendarEntry

    return [CalendarEntry(**event) for event in visit_calendar_events(alt=alt)]


class InteracPortalConfig(AppConfig):
    name = "interac_portal"
    verbose_name = "ALT Portal"

    def ready(self):
        # The feature apps never import each other: the support app's visits reach the calendar feed
        # that the training app serves through the feed's provider registry, wired here.
        from training.calendar import register_event_provider

        register_event_provider(support_visits)
