from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth import get_user_model

from core.admin import EstimatedCountPaginator, LightChangelistMixin


class LightUserAdmin(LightChangelistMixin, admin.ModelAdmin):
    list_display = ("email", "first_name")
    list_display_links = ("email", "first_name")


def make_user(email, **fields):
    return get_user_model().objects.create_user(email=email, password="correct-horse-battery", **fields)


def test_the_light_row_checkbox_is_djangos_markup(db):
    User = get_user_model()
    user = make_user("ann@example.com", first_name="<b>Ann</b>", last_name="O'Neil")
    light = LightUserAdmin(User, admin.site).action_checkbox(user)
    assert light == admin.ModelAdmin(User, admin.site).action_checkbox(user)
    assert f'name="{ACTION_CHECKBOX_NAME}"' in light and "&lt;b&gt;" in light


def test_a_short_list_is_counted_exactly(db):
    User = get_user_model()
    for n in range(3):
        make_user(f"user{n}@example.com")
    assert EstimatedCountPaginator(User.objects.all(), 2).count == User.objects.count()


def test_the_light_changelist_links_rows_as_django_does(rf, db):
    User = get_user_model()
    users = [make_user("a@example.com"), make_user("b@example.com")]
    request = rf.get("/admin/contacts/user/")
    request.user = make_user("root@example.com", is_staff=True, is_superuser=True)
    changelist = LightUserAdmin(User, admin.site).get_changelist_instance(request)
    for user in users:
        light = changelist.url_for_result(user)
        assert light == ChangeList.url_for_result(changelist, user)
        assert light == f"/admin/contacts/user/{user.pk}/change/"
