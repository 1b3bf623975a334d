"""What a page shows, kept in the shared cache under version tokens that every write renews.

A page of an ALT reads a dozen queries' worth of rows that change rarely next
to how often the page is opened. Its parts are therefore kept in the shared
cache (Redis), each with the version tokens it was built under, read in the
same round trip as the tokens' current values: a kept part is used only while
every token is still the one it was built under (`kept`, `kept_many`, and
`kept_each` for the rows of a list, each under its own tokens).

The tokens are named by what the writes change:

- `everyone`: anything any ALT's page may show (a course, a training session,
  a safety check), and writes too wide to name each ALT;
- `alt:<id>`: anything of one ALT (their requests and messages, checklist,
  placement, registrations, answers, their user and profile);
- more, named by the apps (`training`: the places left in a session;
  `staff`: users, roles and groups, which the admin's lists show);
- `model:<app_label.model_name>`: any row of that model (`model_token`), which
  every declared model's writes renew too: a part that cannot name the rows it
  shows before reading them (an admin list) is kept under its models' tokens.

Which writes renew which tokens is declared once per model (`register`): its
saves, deletes and many-to-many writes are seen by signals, and its queryset
(`VersionedQuerySet`, the model's default manager) renews them for
`update()`, `bulk_create()` and `bulk_update()`. Columns no page shows (a
reminder's mark) are declared too: their writes renew nothing. A row given to
another ALT renews both ALTs' tokens (the ALT a row was read with is noted
when it is read). A model whose rows no page shows says so (`unseen`); the
system check `core.E010` names any model of the portal's apps that does
neither, `core.E011` one whose queryset is not versioned. A write renews its
tokens when it happens and again after its transaction commits, so that a
part built from rows read before the commit is never kept under a token that
is current after it. Tokens are random, never counters: a token lost with
Redis comes back as a value no kept part carries.

What changes with the clock alone (a due date passed, a visit begun) is kept
for at most five minutes: the clock's five-minute step is part of each key.
While the shared cache is unreachable (`core.cache` then answers from the
process's own memory), every part is built afresh. `KEPT_PARTS_AUDIT=1 make
test` runs the suite with every part kept and built again at each use to
compare (`KEPT_PARTS_VERIFY`): a write the declarations miss fails there.
"""

import secrets
from collections.abc import Callable, Iterable

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_init, post_save
from django.utils import timezone

EVERYONE = "everyone"
# How long a kept part is kept at most, whatever the tokens say.
KEEP_SECONDS = 900
# What the clock alone changes shows within this many seconds.
CLOCK_STEP = 300
# An update of more ALTs than this renews everyone's token rather than each of theirs.
MANY = 200

_registry: dict[type[models.Model], "_Declared"] = {}
_unseen: set[type[models.Model]] = set()


class _Declared:
    def __init__(self, alt: str | None, names: tuple[str, ...], unseen_fields: frozenset[str]):
        self.alt = alt
        self.names = names
        self.unseen_fields = unseen_fields

    def unseen(self, fields) -> bool:
        """Writes of `fields` alone change nothing a page shows (a reminder's bookkeeping)."""
        return fields is not None and set(fields) <= self.unseen_fields


def enabled() -> bool:
    """On where the cache is shared by every process (settings.KEPT_PARTS)."""
    return settings.KEPT_PARTS


def token_key(name: str) -> str:
    return f"version:{name}"


def alt(alt_id) -> str:
    return f"alt:{alt_id}"


def model_token(model_or_label) -> str:
    """The token any write of a row of the model renews (a model, or its label "support.supportrequest")."""
    label = model_or_label if isinstance(model_or_label, str) else model_or_label._meta.concrete_model._meta.label
    return f"model:{label.lower()}"


def _reaches_shared_cache() -> bool:
    reaching = getattr(cache, "reaches_shared_store", None)
    return reaching() if reaching is not None else True


def _renew_now(names: Iterable[str]) -> None:
    fresh = {token_key(name): secrets.token_hex(8) for name in names}
    if fresh:
        cache.set_many(fresh, None)


def renew(*names: str) -> None:
    """What the tokens `names` stand for changed: no part kept under them is used again.

    For a write no model declares (raw SQL): call it inside the write's
    transaction; the tokens change now and again after the commit.
    """
    if not enabled() or not names:
        return
    names = tuple(dict.fromkeys(names))
    _renew_now(names)
    transaction.on_commit(lambda: _renew_now(names))


def renew_alts(alt_ids: Iterable) -> None:
    """The rows of the ALTs `alt_ids` changed (everyone's, when they are many)."""
    alt_ids = {alt_id for alt_id in alt_ids if alt_id is not None}
    if len(alt_ids) > MANY:
        renew(EVERYONE)
    else:
        renew(*(alt(alt_id) for alt_id in alt_ids))


def clock_step() -> int:
    return int(timezone.now().timestamp()) // CLOCK_STEP


def kept(tokens: list[str], key: str, build: Callable[[], object]):
    """`build()`, or what it returned before under the same current `tokens` (cache keys of version tokens).

    `key` names the part and everything it depends on beyond the tokens (the
    person, the language); the clock's step is added here.
    """
    return kept_many(tokens, {key: build})[key]


def kept_many(tokens: list[str], builds: dict[str, Callable[[], object]]) -> dict[str, object]:
    """`kept()` for several parts under the same tokens, read in one round trip: {key: value}."""
    values = kept_each(
        builds.items(),
        tokens=tokens,
        tokens_of=lambda _part: (),
        key_of=lambda part: part[0],
        build=lambda part: part[1](),
    )
    return dict(zip(builds, values, strict=True))


def kept_each(items, *, tokens: list[str], tokens_of, key_of, build) -> list:
    """`[build(item) for item in items]`, each kept under `tokens` and its own `tokens_of(item)`, as `kept()`
    keeps a part: every token and kept value read in one round trip."""
    items = list(items)
    if not enabled() or not items:
        return [build(item) for item in items]
    step = clock_step()
    own = [tokens_of(item) for item in items]
    keys = [f"kept:{key_of(item)}:{step}" for item in items]
    found = cache.get_many(list(dict.fromkeys([*tokens, *(token for each in own for token in each), *keys])))
    if not _reaches_shared_cache():
        return [build(item) for item in items]
    values, fresh = [], {}
    for item, item_tokens, key in zip(items, own, keys, strict=True):
        current = tuple(found.get(token) for token in (*tokens, *item_tokens))
        if None in current:
            # First use since Redis started (or lost a token): new tokens, nothing kept carries them.
            for token in (*tokens, *item_tokens):
                if found.get(token) is None:
                    found[token] = secrets.token_hex(8)
                    cache.add(token, found[token], None)
            values.append(build(item))
            continue
        entry = found.get(key)
        if entry is not None and entry[0] == current:
            if settings.KEPT_PARTS_VERIFY:
                _verify(key, entry[1], build(item))
            values.append(entry[1])
        else:
            values.append(build(item))
            fresh[key] = (current, values[-1])
    if fresh:
        cache.set_many(fresh, KEEP_SECONDS)
    return values


class StalePart(AssertionError):
    pass


def _verify(key: str, kept_value, fresh) -> None:
    if kept_value != fresh:
        raise StalePart(f"{key}: the kept part differs from the rows (a write renewed no token)")


# Declaring the writes


def _follow(instance, lookup: str):
    value = instance
    for part in lookup.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


def _instance_names(declared: _Declared, instance) -> list[str]:
    names = list(declared.names)
    if declared.alt is not None:
        try:
            alt_id = _follow(instance, declared.alt)
        except models.ObjectDoesNotExist:
            alt_id = None
        # A row whose ALT cannot be told (its parent already gone): anyone's page may have shown it.
        names.append(alt(alt_id) if alt_id is not None else EVERYONE)
    return names


def _declared_for(model) -> "_Declared | None":
    return _registry.get(model) or _registry.get(model._meta.concrete_model)


def _saved(sender, instance, update_fields=None, **kwargs):
    if not enabled():
        return
    declared = _declared_for(sender)
    if declared is not None and not declared.unseen(update_fields):
        names = _instance_names(declared, instance)
        loaded = instance.__dict__.get(_LOADED_ALT)
        if loaded is not None:
            # A row given to another ALT (a placement corrected in the admin): the page of the first showed it.
            names.append(alt(loaded))
        renew(*names)


_LOADED_ALT = "_versions_loaded_alt"


def _loaded(sender, instance, **kwargs):
    """The ALT a row had when it was read, for a model whose row names its ALT itself (`alt="alt_id"`)."""
    declared = _declared_for(sender)
    if declared is not None and declared.alt is not None and "__" not in declared.alt:
        instance.__dict__[_LOADED_ALT] = instance.__dict__.get(declared.alt)


def _related_changed(sender, instance, action, model, **kwargs):
    """A many-to-many field written (`check.branches.set(...)`): the rows on both sides changed."""
    if not enabled() or action not in ("post_add", "post_remove", "post_clear"):
        return
    declared = _declared_for(type(instance))
    if declared is not None:
        renew(*_instance_names(declared, instance))
    other = _declared_for(model) if model is not None else None
    if other is not None:
        # The rows of the other side are named by pk only: anyone's page may show them.
        renew(*other.names, *((EVERYONE,) if other.alt is not None else ()))


def connect_signals() -> None:
    m2m_changed.connect(_related_changed, dispatch_uid="versions.related_changed")


def _connect(model) -> None:
    # Per model, never for all: a delete() of rows no receiver listens to stays one statement.
    uid = f"versions.{model._meta.label_lower}"
    post_save.connect(_saved, sender=model, dispatch_uid=f"{uid}.saved")
    post_delete.connect(_saved, sender=model, dispatch_uid=f"{uid}.deleted")
    post_init.connect(_loaded, sender=model, dispatch_uid=f"{uid}.loaded")


def register(
    model: type[models.Model], *, alt: str | None = None, everyone: bool = False, also=(), unseen_fields=()
) -> None:
    """Writes of `model` change what ALTs' pages show.

    `alt`: the lookup from a row to its ALT's id ("alt_id", "support_request__alt_id"): its writes renew
    that ALT's token. `everyone`: they renew everyone's. `also`: more tokens they renew. Every write renews
    the model's own token (`model_token`) as well. `unseen_fields`:
    columns no page shows (a reminder's mark): a write of those alone renews nothing.
    """
    names = (*also, *((EVERYONE,) if everyone else ()), model_token(model))
    _registry[model] = _Declared(alt, names, frozenset(unseen_fields))
    # A proxy's writes are sent under the proxy's name.
    for each in apps.get_models():
        if each is model or (each._meta.proxy and each._meta.concrete_model is model):
            _connect(each)


def unseen(*models_: type[models.Model]) -> None:
    """Rows of `models_` are shown on no ALT's page: their writes renew no token."""
    _unseen.update(models_)


def is_declared(model: type[models.Model]) -> bool:
    concrete = model._meta.concrete_model
    return model in _registry or model in _unseen or concrete in _registry or concrete in _unseen


def registered(model: type[models.Model]) -> bool:
    return model in _registry


def _moves_alt(model, lookup: str, kwargs) -> bool:
    """An update() writing the first field of the lookup to the rows' ALT (`alt=` or `alt_id=`)."""
    field = model._meta.get_field(lookup.split("__")[0])
    return field.name in kwargs or field.attname in kwargs


class VersionedQuerySet(models.QuerySet):
    """Renews the tokens its model declares for the writes no signal reports."""

    def _declared(self) -> _Declared | None:
        return _declared_for(self.model)

    def update(self, **kwargs):
        declared = self._declared()
        if declared is None or not enabled() or declared.unseen(kwargs):
            return super().update(**kwargs)
        names = list(declared.names)
        alt_ids = ()
        if declared.alt is not None:
            if _moves_alt(self.model, declared.alt, kwargs):
                names.append(EVERYONE)  # the rows change ALT: the page of either may have shown them
            else:
                rows = self.order_by()
                rows.query.select_for_update = False
                alt_ids = set(rows.values_list(declared.alt, flat=True).distinct()[: MANY + 1])
        count = super().update(**kwargs)
        if count:
            renew(*names)
            renew_alts(alt_ids)
        return count

    update.alters_data = True

    def _objects_written(self, objs, fields=None) -> None:
        declared = self._declared()
        if declared is None or not enabled() or not objs or declared.unseen(fields):
            return
        renew(*declared.names)
        if declared.alt is None:
            return
        if len(objs) > MANY:
            renew(EVERYONE)
            return
        names = set()
        for obj in objs:
            names.update(_instance_names(declared, obj))
        renew(*names)

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        self._objects_written(list(created))
        return created

    bulk_create.alters_data = True

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        count = super().bulk_update(objs, fields, *args, **kwargs)
        if count:
            self._objects_written(objs, fields)
        return count

    bulk_update.alters_data = True


VersionedManager = models.Manager.from_queryset(VersionedQuerySet)
