import pytest

from .factories import live_in


@pytest.fixture
def settled(alt_tokyo, alt_osaka):
    """Tokyo's ALT lives in Saitama, Osaka's in Osaka: the prefectures checks are sent by."""
    live_in(alt_tokyo, "11")
    live_in(alt_osaka, "27")
    return {"tokyo": alt_tokyo, "osaka": alt_osaka}
