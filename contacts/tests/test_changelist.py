from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

from contacts.changelist import EstimatedCountPaginator, LightChangelistMixin
from contacts.models import User
from contacts.tests.factories import BranchFactory, UserFactory, make_alt


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


def test_the_light_changelist_links_rows_as_django_does(rf, db):
    from django.contrib.admin.views.main import ChangeList

    from support.models import SupportRequest
    from support.tests.factories import SupportRequestFactory

    alt = make_alt(branch=BranchFactory())
    support_requests = [SupportRequestFactory(alt=alt), SupportRequestFactory(alt=alt)]
    request = rf.get("/admin/support/supportrequest/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    changelist = admin.site.get_model_admin(SupportRequest).get_changelist_instance(request)
    for support_request in support_requests:
        light = changelist.url_for_result(support_request)
        assert light == ChangeList.url_for_result(changelist, support_request)
        assert light == f"/admin/support/supportrequest/{support_request.pk}/change/"
