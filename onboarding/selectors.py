"""Every read the onboarding pages need."""


def onboarding_dashboard_card(*, profile):
    """Context for this app's card on the ALT dashboard, or None for no card."""
    return None
