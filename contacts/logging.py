import logging
import re

from django.views.debug import SafeExceptionReporterFilter

# Phone numbers and email addresses never reach the logs, whoever logs them.
_PHONE = re.compile(r"(?<![\w.])\+?\d[\d\- ]{7,}\d")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


class ScrubPersonalData(logging.Filter):
    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:
            return True
        scrubbed = _EMAIL.sub("[email]", _PHONE.sub("[phone]", message))
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        return True


class PrivateExceptionReporterFilter(SafeExceptionReporterFilter):
    """Error reports (emails to admins, logs) carry no form data and no local variables.

    A traceback from a support request view would otherwise show what the ALT
    wrote about their health or their home.
    """

    def get_post_parameters(self, request):
        if request is None:
            return {}
        return dict.fromkeys(request.POST, self.cleansed_substitute)

    def get_traceback_frame_variables(self, request, tb_frame):
        return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]
