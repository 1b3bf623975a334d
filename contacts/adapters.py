import uuid
from urllib.parse import quote

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from core.security import log_login_refused
from core.text import one_line

from .models import Notification, User
from .outbox import enqueue_delivery


class AccountAdapter(DefaultAccountAdapter):
    """No public sign-up; account emails go through the outbox in the user's language."""

    def is_open_for_signup(self, request):
        return False

    def _get_login_attempts_cache_key(self, request, **credentials):
        # allauth keys the failed-login limit by request host and address. The host comes from the
        # Host header, and any port passes ALLOWED_HOSTS: "portal:1", "portal:2"... each got five
        # fresh tries at one password. The address alone is the key.
        return credentials.get("email", credentials.get("username", "")).strip().lower()

    def pre_authenticate(self, request, **credentials):
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            log_login_refused(request, credentials)
            raise

    # Links in emails come from SITE_URL, never from the request's Host header (which any client sets).

    def get_reset_password_from_key_url(self, key):
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return settings.SITE_URL + path.replace("UID-KEY", quote(key))

    def get_email_confirmation_url(self, request, emailconfirmation):
        return settings.SITE_URL + reverse("account_confirm_email", args=[emailconfirmation.key])

    def send_mail(self, template_prefix, email, context):
        user = User.objects.filter(email__iexact=email).first()
        language = user.preferred_language if user else translation.get_language() or "en"
        with translation.override(language):
            message = self.render_mail(template_prefix, email, context)
        notification = Notification.objects.create(
            recipient=user,
            to_email=email,
            language=language[:8],
            kind=f"account.{template_prefix.rsplit('/', 1)[-1]}",
            key=f"account.{template_prefix}:{uuid.uuid4().hex}",
            subject=one_line(message.subject)[:255],
            body=message.body,
        )
        transaction.on_commit(lambda: enqueue_delivery(notification.pk))
