"""The logged-in user, as every request loads it, kept in the shared cache under versions.

Every request of a logged-in person loads the user, and for an ALT the profile
with the branch and the two contacts (`contacts.auth_backends`). Building and
planning that joined query cost more than the rest of a small page's work. The
loaded user is therefore kept in the shared cache (Redis), tagged with two
version tokens read in the same round trip:

- the person's own token, given a new value whenever their User row or their
  AltProfile is written (the token of their rows in `core.versions`, which
  also sees `update()` and bulk writes of them);
- the people token, given a new value whenever a Branch or any User row is
  written through the ORM (an ALT's kept user carries the branch, the MC and
  the GRM contact), but for a login's last_login, and by writes that touch
  many profiles at once.

A kept user is used only while both tokens are still the ones it was stored
with. A write gives the tokens a new value when it happens and again after its
transaction commits, so that a user read before the commit is never kept under
a token that is current after it. Tokens are random, never counters: a token
lost with Redis comes back as a value no kept user carries.

Writes through the ORM (save, delete) are seen by signals (`connect_signals`);
`contacts.services` marks its `update()` calls itself; a `migrate` renews the
people token. Nothing else writes
these tables. While the cache is unreachable (`core.cache` then answers from
the process's own memory, which other processes cannot mark), every request
loads the user from the database.
"""

import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_migrate, post_save
from django.shortcuts import render
from django.utils.translation import get_language

from core import versions
from core.jinja2 import render_part, with_csrf

PEOPLE_TOKEN = "people:token"
# How long a loaded user is kept at most, whatever the tokens say.
KEEP_SECONDS = 600


def _person_token_key(user_id) -> str:
    # The person's token is the one of their rows in core.versions: any write of them renews it, update() too.
    return versions.token_key(versions.alt(user_id))


def _entry_key(user_id) -> str:
    return f"people:user:{user_id}"


def enabled() -> bool:
    """On where the cache is shared by every process (settings.PEOPLE_CACHE)."""
    return settings.PEOPLE_CACHE


def _reaches_shared_cache() -> bool:
    reaching = getattr(cache, "reaches_shared_store", None)
    return reaching() if reaching is not None else True


def user_load(user_id, load):
    """The user `user_id` as `load()` returns it from the database, or as kept while nothing about them changed."""
    if not enabled():
        return load()
    keys = [PEOPLE_TOKEN, _person_token_key(user_id), _entry_key(user_id)]
    found = cache.get_many(keys)
    if not _reaches_shared_cache():
        return load()
    people, person, entry = (found.get(key) for key in keys)
    if people is None or person is None:
        # First request since Redis started (or lost the token): a new token, nothing kept matches it.
        cache.add(PEOPLE_TOKEN, secrets.token_hex(8), None)
        cache.add(_person_token_key(user_id), secrets.token_hex(8), None)
        return load()
    if entry is not None and entry[0] == people and entry[1] == person:
        return entry[2]
    user = load()
    if user is not None:
        cache.set(_entry_key(user_id), (people, person, user), KEEP_SECONDS)
    return user


def _renew(user_ids, everyone: bool) -> None:
    if not enabled():
        return
    fresh = {_person_token_key(user_id): secrets.token_hex(8) for user_id in user_ids}
    if everyone:
        fresh[PEOPLE_TOKEN] = secrets.token_hex(8)
    if fresh:
        cache.set_many(fresh, None)


def people_changed(*, user_ids=(), everyone: bool = False) -> None:
    """Users `user_ids` (or, with `everyone`, anyone) changed: their kept copies are not used again.

    Call it where a write bypasses the ORM's signals (`update()`), inside the
    write's transaction: the tokens change now and again after the commit.
    """
    user_ids = list(user_ids)
    _renew(user_ids, everyone)
    transaction.on_commit(lambda: _renew(user_ids, everyone))


def _user_saved(sender, instance, update_fields=None, **kwargs):
    # A login writes last_login alone, which no one else's copy carries. Any other write of a
    # user may be that of someone's MC or GRM contact, whose name and phone ALTs' pages show.
    alone = update_fields is not None and set(update_fields) <= {"last_login"}
    people_changed(user_ids=[instance.pk], everyone=not alone)


def _profile_saved(sender, instance, **kwargs):
    people_changed(user_ids=[instance.user_id])


def _branch_saved(sender, instance, **kwargs):
    people_changed(everyone=True)


def _migrated(sender, **kwargs):
    # A deploy's migrations may change these rows without the ORM's signals (a data migration), or
    # their columns, and the roles' permissions (contacts.roles): nothing kept before them is used after.
    people_changed(everyone=True)
    versions.renew("staff", versions.EVERYONE)


def connect_signals() -> None:
    from .models import AltProfile, Branch, User

    post_migrate.connect(_migrated, dispatch_uid="people_cache.migrated")

    for name, signal in (("saved", post_save), ("deleted", post_delete)):
        signal.connect(_user_saved, sender=User, dispatch_uid=f"people_cache.user_{name}")
        signal.connect(_profile_saved, sender=AltProfile, dispatch_uid=f"people_cache.profile_{name}")
        signal.connect(_branch_saved, sender=Branch, dispatch_uid=f"people_cache.branch_{name}")


# What the navigation of every ALT page shows beyond the page ({name: (build(request), use(request, value))}),
# registered by the apps above: kept and read along with each page's content.
_navigation_parts: dict = {}


def register_navigation_part(name: str, build, use) -> None:
    """`build(request)` gives a value the navigation shows on every ALT page; `use(request, value)` hands it
    to the navigation. It is kept with each page's content (`render_alt_page`), read in the same round trip."""
    _navigation_parts[name] = (build, use)


def kept_for_staff(user_id, key: str, build):
    """`build()` for a part of a staff member's pages that shows staff (names, roles, permissions), kept while
    no user, role or group was written (the people token and core.versions' "staff")."""
    if not enabled():
        return build()
    tokens = [PEOPLE_TOKEN, versions.token_key("staff")]
    return versions.kept(tokens, f"{key}:{user_id}:{get_language()}", build)


def staff_permissions(user) -> set | None:
    """What `user` may do, as the ModelBackend gives it, kept while no user, role or group was written
    (`kept_for_staff`: a user's flags, their groups and own permissions, a role, a group's permissions all
    renew its tokens); None where nothing is kept (the backend reads them), and for a superuser (who may do
    anything without them)."""
    if not _keeps_staff() or user.is_superuser:
        return None
    from django.contrib.auth.backends import ModelBackend

    from .models import User

    fresh = User(pk=user.pk, is_active=user.is_active)  # the backend's own cache stays off the request's user
    return kept_for_staff(user.pk, "permissions", lambda: ModelBackend().get_all_permissions(fresh))


def staff_roles(user) -> list:
    """`user`'s roles, [(role, branch_id)], kept as their permissions are."""
    if not _keeps_staff():
        return _roles_from_database(user.pk)
    return kept_for_staff(user.pk, "roles", lambda: _roles_from_database(user.pk))


def _keeps_staff() -> bool:
    return enabled() and versions.enabled()


def _roles_from_database(user_id) -> list:
    from .models import StaffRole

    return list(StaffRole.objects.filter(user_id=user_id).order_by().values_list("role", "branch_id"))


def _tokens(user_id, names) -> list[str]:
    names = (versions.alt(user_id), versions.EVERYONE, *names)  # the first is the person's token here
    return [PEOPLE_TOKEN, *(versions.token_key(name) for name in names)]


def kept_for_alt(user_id, key: str, build, *, names=()):
    """`build()` for a part of the ALT `user_id`'s pages, kept while nothing it may show changed (core.versions).

    Its tokens: the ALT's rows, everyone's, `names`, and the people's of this
    module (their profile, branch and contacts), which is why it is kept only
    where those are.
    """
    if not enabled():
        return build()
    return versions.kept(_tokens(user_id, names), f"{key}:{user_id}:{get_language()}", build)


def kept_page_for_alt(request, key: str, build, *, names=()):
    """`build()` for the content of an ALT's page, kept with the navigation's parts (read in one round trip)."""
    if not enabled():
        return build()
    # Keyed by the page's tokens too: a part kept under other tokens would be built again each time.
    suffix = ":".join((str(request.user.pk), get_language(), *names))
    builds = {f"{key}:{suffix}": build}
    for part, (build_part, _use) in _navigation_parts.items():
        builds[f"{part}:{suffix}"] = lambda build_part=build_part: build_part(request)
    values = versions.kept_many(_tokens(request.user.pk, names), builds)
    for part, (_build, use) in _navigation_parts.items():
        use(request, values[f"{part}:{suffix}"])
    return values[f"{key}:{suffix}"]


def render_alt_page(request, template_name: str, key: str, build_context, *, names=(), keep=True, status=200):
    """An ALT's page whose content, the template `<folder>/_<name>_body.jinja`, is kept while nothing it shows
    changed (`kept_page_for_alt`). `build_context()` gives the content's context; `keep=False` for a page
    that shows more than the rows (a form's errors)."""
    folder, slash, name = template_name.rpartition("/")
    body_name = f"{folder}{slash}_{name.removesuffix('.jinja')}_body.jinja"

    def build():
        return render_part(request, body_name, build_context())

    body = kept_page_for_alt(request, key, build, names=names) if keep else build()
    return render(request, template_name, {"body": with_csrf(request, body)}, status=status)
