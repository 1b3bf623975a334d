from django.db import models
from django.utils import timezone


class SubmittedForm(models.Model):
    """The one-time key of a form that creates something, stored with what it created.

    Every admin add form carries a key (core.adminsite); the first submission stores
    it in the transaction that saves the row. The same form sent again (a double
    click, back and resend, two at the same moment) finds the key taken and
    creates nothing: the database refuses the second insert even when both
    arrive at once.
    """

    key = models.UUIDField(primary_key=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "submitted form"

    def __str__(self):
        return str(self.key)
