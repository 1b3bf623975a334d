from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

from contacts.changelist import EstimatedCountPaginator, LightChangelistMixin
from contacts.models import User
from contacts.tests.factories import UserFactory


def test_the_light_row_checkbox_is_djangos_markup(db):
    user = UserFactory(first_name="<b>Ann</b>", last_name="O'Neil")

    class Light(LightChangelistMixin, admin.ModelAdmin):
        pass

    light = Light(User, admin.site).action_checkbox(user)
    assert light == admin.ModelAdmin(User, admin.site).action_checkbox(user)
    assert f'name="{ACTION_CHECKBOX_NAME}"' in light and "&lt;b&gt;" in light


def test_a_short_list_is_counted_exactly(db):
    for _ in range(3):
        UserFactory()
    assert EstimatedCountPaginator(User.objects.all(), 2).count == User.objects.count()
