"""Every read the support pages need."""


def support_dashboard_card(*, profile):
    """Context for this app's card on the ALT dashboard, or None for no card."""
    return None
