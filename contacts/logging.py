import logging
import re

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
