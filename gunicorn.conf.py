"""gunicorn settings for `make prod` and production (read automatically from the project root)."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", min(4, multiprocessing.cpu_count() * 2 + 1)))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
# Recycle workers now and then so that memory stays flat over weeks.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
# Path only, no query string (admin searches carry names), no referrer.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
logger_class = "interac_portal.gunicorn_logging.PrivacyLogger"
# Several gunicorns share a machine in tests and benchmarks; signals are enough to manage them.
control_socket_disable = True


def post_worker_init(worker):
    """Once the app is loaded: keep its objects out of the garbage collector's way.

    Django, the templates and the URL resolver are loaded for good; freezing them
    means a full collection no longer walks them, and a larger first generation
    means fewer collections per page (bench/NOTES.md has the figures).
    """
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
