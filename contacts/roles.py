"""Groups and permissions per staff role, created on every `migrate`.

Each app declares what its roles may do as `role_permissions` on its
AppConfig ({"SCHEDULER": ["support.change_supportrequest", ...]}), so this
module imports none of them. `sync_role_groups` runs after migrations
(post_migrate) and from seed_demo: nobody sets permissions by hand.
"""

from django.apps import apps as global_apps

GROUP_NAMES = {
    "MC": "Managing Consultants",
    "TRAINER": "Trainers",
    "SCHEDULER": "Schedulers",
    "SESPS": "SESPS trainers",
    "GRM": "GRM staff",
}


def group_name_for_role(role: str) -> str:
    return GROUP_NAMES[role]


def collect_role_permissions(app_configs=None) -> dict[str, set[str]]:
    wanted: dict[str, set[str]] = {role: set() for role in GROUP_NAMES}
    for config in app_configs or global_apps.get_app_configs():
        for role, perms in getattr(config, "role_permissions", {}).items():
            wanted[role].update(perms)
    return wanted


def sync_role_groups(apps=global_apps, **kwargs) -> None:
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    wanted = collect_role_permissions(global_apps.get_app_configs())
    all_codes = set().union(*wanted.values())
    by_code = {}
    for perm in Permission.objects.select_related("content_type").all():
        code = f"{perm.content_type.app_label}.{perm.codename}"
        if code in all_codes:
            by_code[code] = perm
    for role, codes in wanted.items():
        group, _ = Group.objects.get_or_create(name=GROUP_NAMES[role])
        group.permissions.set([by_code[c] for c in codes if c in by_code])
