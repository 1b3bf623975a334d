"""The provider's inbound webhook (django-anymail): Mailgun posts each email to the reply domain here.

Anymail checks Mailgun's signature (MAILGUN_WEBHOOK_SIGNING_KEY; a bad one
answers 400) and, when ANYMAIL_WEBHOOK_SECRET is set, HTTP basic
authentication; then its `inbound` signal carries an AnymailInboundEvent to
`inbound_received`, which hands the message to the service. Without a signing
key the address answers 404, as if it were not there.
"""

from anymail.signals import AnymailInboundEvent
from anymail.webhooks.mailgun import MailgunInboundWebhookView
from django.conf import settings
from django.http import Http404
from django.views.decorators.csrf import csrf_exempt

from ..services.inbound import inbound_email_receive
from .parse import inbound_mail_from_message

_mailgun_view = MailgunInboundWebhookView.as_view()


@csrf_exempt  # a server posts here, signed: there is no browser session to forge
def mailgun_inbound(request, *args, **kwargs):
    if not getattr(settings, "ANYMAIL", {}).get("MAILGUN_WEBHOOK_SIGNING_KEY"):
        raise Http404("Inbound mail is not set up")
    return _mailgun_view(request, *args, **kwargs)


def inbound_received(sender, event: AnymailInboundEvent, esp_name: str, **kwargs) -> None:
    """anymail's `inbound` signal: one received email, to the service."""
    message = event.message
    mail = inbound_mail_from_message(message, envelope_recipient=getattr(message, "envelope_recipient", None))
    inbound_email_receive(mail=mail, channel=esp_name.lower()[:16])
