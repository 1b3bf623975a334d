from gunicorn.glogging import Logger

# Who reads the counselling page is nobody's business: not even the access log.
UNLOGGED_PATHS = ("/contacts/wellbeing/",)


class PrivacyLogger(Logger):
    def access(self, resp, req, environ, request_time):
        if environ.get("PATH_INFO", "").startswith(UNLOGGED_PATHS):
            return
        super().access(resp, req, environ, request_time)
