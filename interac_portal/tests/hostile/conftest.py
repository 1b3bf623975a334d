# The security tests' small portal with something of everything, and a fresh media directory per test.
from ..security.conftest import media_root, world  # noqa: F401
