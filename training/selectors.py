"""Every read the training pages need."""


def training_dashboard_card(*, profile):
    """Context for this app's card on the ALT dashboard, or None for no card."""
    return None
