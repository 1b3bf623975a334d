"""Demo data for the onboarding app, called by `seed_demo` after the people exist."""


def seed(*, people: dict) -> None:
    """Create this app's demo rows. Idempotent: running it twice changes nothing."""
