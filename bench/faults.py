"""`make faults`: the production processes under load while their services fail, one fault at a time.

1. A PostgreSQL cluster and a redis-server of the run's own on free ports (testing/servers.py:
   the shared servers are never touched), and an SMTP server in this process (aiosmtpd) that
   keeps every message it is given.
2. `make prod` against them: gunicorn with 2 workers, two Celery workers and one scheduler under
   supervisord (supervisord.conf), debug off.
3. PEOPLE ALTs (default 10) log in over HTTP and send support requests and replies, each with a
   pause between two; when an answer is an error or no answer comes, the person sends the same
   form again (its one-time token), as a person would, until it is answered.
4. The faults, SPACING seconds apart (default 40): a Celery worker killed (SIGKILL, its whole
   process group) and left to supervisord; Redis down REDIS_DOWN seconds (default 20);
   PostgreSQL restarted (`pg_ctl restart -m fast`, every connection cut); a second scheduler for
   SECOND_BEAT seconds (default 60); a gunicorn worker killed.
5. The load stops, the outbox drains, and bench/faults.md and bench/faults.json say what happened:
   submissions acknowledged, stored, lost and duplicated; Notification rows, emails received,
   duplicate and missing emails; answers of 500 or more and connection errors in each fault's
   window; how long each fault took to heal. Exit status 1 when a target is missed.

Settings (environment): FAULTS (which faults, in order: worker,redis,postgres,beat,web),
FAULTS_SPACING, FAULTS_REDIS_DOWN, FAULTS_SECOND_BEAT, FAULTS_PEOPLE, FAULTS_OUTPUT (a directory;
default bench/). `.ci/run` runs a short version: FAULTS=redis,postgres with shorter spacing,
its report in var/.
"""

import asyncio
import email
import email.policy
import json
import os
import platform
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from testing.servers import PostgresCluster, Process, RedisServer, free_port, wait_for  # noqa: E402
from testing.web import login  # noqa: E402

FAULTS = [f for f in os.environ.get("FAULTS", "worker,redis,postgres,beat,web").split(",") if f]
SPACING = float(os.environ.get("FAULTS_SPACING", "40"))
REDIS_DOWN = float(os.environ.get("FAULTS_REDIS_DOWN", "20"))
SECOND_BEAT = float(os.environ.get("FAULTS_SECOND_BEAT", "60"))
PEOPLE = int(os.environ.get("FAULTS_PEOPLE", "10"))
SMTP_DELAY = float(os.environ.get("FAULTS_SMTP_DELAY", "0.1"))  # seconds the SMTP server takes per recipient
OUTPUT = Path(os.environ.get("FAULTS_OUTPUT", ROOT / "bench"))
WARMUP = float(os.environ.get("FAULTS_WARMUP", "15"))  # load before the first fault
TAIL = float(os.environ.get("FAULTS_TAIL", "15"))  # load after the last fault
DRAIN_TIMEOUT = float(os.environ.get("FAULTS_DRAIN_TIMEOUT", "480"))
WINDOW_AFTER = 10.0  # a fault's window: from its start to this long after its end
PASSWORD = "faults-" + uuid.uuid4().hex[:12]
PYTHON = sys.executable

TARGETS = {"lost": 0, "duplicated": 0, "duplicate_emails": 0, "missing_emails": 0, "worker_back_s": 10.0,
           "delivery_resumed_s": 60.0}  # fmt: skip


def log(message: str) -> None:
    print(f"[faults {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- the SMTP server ----------------------------------------------------------------------------


class MailSink:
    """aiosmtpd handler: every message accepted, with the time it arrived and its Message-ID."""

    def __init__(self):
        self.lock = threading.Lock()
        self.received: list[tuple[float, str, float]] = []  # (monotonic time, Message-ID, wall clock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        # A real server takes its time (recipient checks), and workers hold their tasks meanwhile. Not after
        # the message's end: a worker killed between the server's acceptance and marking the row sent sends
        # the email again (with the same Message-ID, which mail systems drop), and a run that kills a worker
        # would measure how long that moment is rather than the portal.
        await asyncio.sleep(SMTP_DELAY)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.received.append((time.monotonic(), str(message.get("Message-ID", "")), time.time()))
        return "250 Message accepted"

    def snapshot(self) -> list[tuple[float, str, float]]:
        with self.lock:
            return list(self.received)


# --- the load -------------------------------------------------------------------------------------


@dataclass
class Submission:
    kind: str  # "request" or "reply"
    token: str
    person: int
    text: str
    tries: list = field(default_factory=list)  # (started, finished, status); status 0: no answer
    acknowledged: bool = False


@dataclass
class Load:
    submissions: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)

    def record(self, submission: Submission) -> None:
        with self.lock:
            self.submissions.append(submission)

    def all(self) -> list:
        with self.lock:
            return list(self.submissions)


def _post(session, url: str, data: dict):
    data = {**data, "csrfmiddlewaretoken": session.cookies.get("csrftoken", "")}
    return session.post(url, data=data, headers={"Referer": url}, allow_redirects=False, timeout=30)


def person(n: int, base: str, load: Load) -> None:
    """One ALT: a request, then replies on it now and then, until the load stops."""
    import requests

    rng = random.Random(n)
    email_address = f"alt{n}.faults@example.com"
    session = None
    own_request = None
    while not load.stop.is_set():
        if session is None:
            try:
                session = login(base, email_address, PASSWORD, timeout=10)
            except Exception:  # the portal is down for a moment: try again
                time.sleep(1)
                continue
        token = str(uuid.uuid4())
        if own_request and rng.random() < 0.4:
            submission = Submission("reply", token, n, f"Reply {token[:8]}")
            url, data = f"{base}/support/{own_request}/reply/", {"body": submission.text, "submit_token": token}
            success = re.compile(rf"^/support/{own_request}/$")
        else:
            submission = Submission("request", token, n, f"Faults {token[:8]}")
            url = f"{base}/support/new/"
            data = {"category": "OTHER", "subject": submission.text, "details": "Sent during the fault run.",
                    "urgency": "NORMAL", "submit_token": token}  # fmt: skip
            success = re.compile(r"^/support/(\d+)/sent/$")
        # Sent again until answered, as a person does when the page shows an error or nothing.
        for attempt in range(60):
            started = time.monotonic()
            try:
                response = _post(session, url, data)
                status, location = response.status_code, response.headers.get("Location", "")
            except requests.RequestException:
                status, location = 0, ""
            submission.tries.append((started, time.monotonic(), status))
            match = success.match(location) if status == 302 else None
            if match:
                submission.acknowledged = True
                if submission.kind == "request":
                    own_request = int(match.group(1))
                break
            if status == 302 and location.startswith("/accounts/login/"):
                session = None  # signed out (a session lost): sign in and send the same form again
                while session is None and not load.stop.is_set():
                    try:
                        session = login(base, email_address, PASSWORD, timeout=10)
                    except Exception:
                        time.sleep(1)
            if load.stop.is_set() and attempt >= 5:
                break
            time.sleep(min(1 + attempt * 0.5, 5))
        load.record(submission)
        time.sleep(rng.uniform(0.5, 1.5))


# --- the portal -------------------------------------------------------------------------------------


def portal_env(tmp: Path, pg: PostgresCluster, redis: RedisServer, smtp_port: int, web_port: int) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "DJANGO_", "PORTAL_"))}
    env.update({
        "PATH": f"{ROOT / '.venv' / 'bin'}:{env.get('PATH', '')}",
        "DJANGO_SETTINGS_MODULE": "interac_portal.settings",
        "DATABASE_URL": pg.url,
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{redis.port}/0",
        "CACHE_URL": f"redis://127.0.0.1:{redis.port}/1",
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "EMAIL_TIMEOUT": "10",
        # A row claimed by a worker killed mid-send is sent again after a minute, not ten: the run waits for it.
        "NOTIFICATION_CLAIM_TIMEOUT_SECONDS": "60",
        "DJANGO_SECRET_KEY": "faults-" + uuid.uuid4().hex * 2,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_COOKIES": "false",
        "SITE_URL": f"http://127.0.0.1:{web_port}",
        "GUNICORN_BIND": f"127.0.0.1:{web_port}",
        "GUNICORN_WORKERS": "2",
        "GUNICORN_ACCESS_LOG": str(tmp / "access.log"),
        "PORTAL_VAR_DIR": str(tmp / "var"),
        "PORTAL_MEDIA_ROOT": str(tmp / "media"),
    })  # fmt: skip
    return env


SEED = """
import django
django.setup()
from django.contrib.auth.hashers import make_password
from contacts import demo
from contacts.models import AltProfile, User
people = demo.seed(password={password!r})
tokyo, mc = people["branches"]["tokyo"], people["mc.tokyo"]
for n in range({people}):
    user, _ = User.objects.get_or_create(email=f"alt{{n}}.faults@example.com", defaults={{"first_name": f"Alt{{n}}",
        "last_name": "Faults", "password": make_password({password!r})}})
    AltProfile.objects.get_or_create(user=user, defaults={{"branch": tokyo, "managing_consultant": mc}})
"""


def query(url: str, sql: str, params=()) -> list:
    import psycopg

    with psycopg.connect(url, connect_timeout=5) as db:
        return db.execute(sql, params).fetchall()


def pidfile(tmp: Path, name: str) -> int:
    return int((tmp / "var" / "run" / f"{name}.pid").read_text().strip())


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def gunicorn_master(tmp: Path) -> int:
    supervisor = pidfile(tmp, "supervisord")
    for pid in children(supervisor):
        try:
            if b"gunicorn" in Path(f"/proc/{pid}/cmdline").read_bytes():
                return pid
        except OSError:
            continue
    raise RuntimeError("no gunicorn under supervisord")


# --- the faults ---------------------------------------------------------------------------------------


@dataclass
class Fault:
    name: str
    what: str
    start: float = 0.0
    end: float = 0.0
    healed_s: float | None = None  # the process back, or the service answering again
    note: str = ""
    done: threading.Event = field(default_factory=threading.Event)

    def wall(self, monotonic: float) -> float:
        return time.time() - (time.monotonic() - monotonic)


def fault_worker(tmp: Path, prod: Process) -> Fault:
    fault = Fault("worker", "a Celery worker killed (SIGKILL, its pool too); supervisord starts it again")
    old = pidfile(tmp, "worker1")
    ready = re.compile(r"worker1@\S+ ready\.")
    ready_before = len(ready.findall(prod.output()))
    group = os.getpgid(old)
    fault.start = fault.end = time.monotonic()
    if group == old:  # supervisord gives each program a process group: the pool goes too
        os.killpg(group, signal.SIGKILL)
    else:
        os.kill(old, signal.SIGKILL)

    def back():
        return pidfile(tmp, "worker1") != old and len(ready.findall(prod.output())) > ready_before

    if wait_for(back, timeout=60):
        fault.healed_s = time.monotonic() - fault.start
    fault.note = "back: a new worker1 process logged 'ready.'"
    return fault


def fault_redis(redis: RedisServer) -> Fault:
    fault = Fault("redis", f"Redis (broker and cache) down for {REDIS_DOWN:.0f} s, then started again")
    fault.start = time.monotonic()
    redis.kill()
    time.sleep(REDIS_DOWN)
    redis.start()
    fault.end = time.monotonic()
    fault.healed_s = fault.end - fault.start
    fault.note = "healed: Redis answers again"
    return fault


def fault_postgres(pg: PostgresCluster) -> Fault:
    fault = Fault("postgres", "PostgreSQL restarted (pg_ctl restart -m fast: every connection cut)")
    fault.start = time.monotonic()
    pg.restart()
    fault.end = time.monotonic()
    fault.healed_s = fault.end - fault.start
    fault.note = "healed: PostgreSQL accepts connections again"
    return fault


def fault_beat(tmp: Path, env: dict) -> Fault:
    fault = Fault("beat", f"a second scheduler (celery beat) for {SECOND_BEAT:.0f} s")
    schedule = tmp / "var" / "second-beat-schedule"
    args = [PYTHON, "-m", "celery", "-A", "interac_portal", "beat", "--loglevel", "INFO", "--schedule", str(schedule),
            "--pidfile", str(tmp / "var" / "run" / "beat2.pid")]  # fmt: skip
    fault.start = time.monotonic()
    beat = Process("second-beat", args, env, tmp)
    fault.healed_s = 0.0
    fault.note = "nothing to heal: every task claims its rows"

    def stop_later():  # the next fault comes SPACING seconds after this one started, not after it ends
        time.sleep(SECOND_BEAT)
        beat.stop()
        fault.end = time.monotonic()
        fault.done.set()

    fault.end = fault.start + SECOND_BEAT
    threading.Thread(target=stop_later, daemon=True).start()
    return fault


def fault_web(tmp: Path, base: str) -> Fault:
    import requests

    fault = Fault("web", "a gunicorn worker killed (SIGKILL); the gunicorn master starts another")
    master = gunicorn_master(tmp)
    workers = children(master)
    fault.start = fault.end = time.monotonic()
    os.kill(workers[0], signal.SIGKILL)

    def back():
        now = children(master)
        return len(now) >= 2 and workers[0] not in now and requests.get(f"{base}/healthz/", timeout=2).ok

    if wait_for(back, timeout=60):
        fault.healed_s = time.monotonic() - fault.start
    fault.note = "back: two gunicorn workers again and /healthz/ answers"
    return fault


# --- the report ---------------------------------------------------------------------------------------


def message_pk(message_id: str) -> int | None:
    match = re.match(r"<notification\.(\d+)\.", message_id)
    return int(match.group(1)) if match else None


def analyse(load: Load, faults: list[Fault], sink: MailSink, db_url: str, first_pk: int, t0: float) -> dict:
    submissions = load.all()
    requests_ = {s.token: s for s in submissions if s.kind == "request"}
    replies = {s.token: s for s in submissions if s.kind == "reply"}
    sql = "SELECT submit_token::text FROM support_supportrequest WHERE subject LIKE 'Faults %%'"
    stored_requests = Counter(t for (t,) in query(db_url, sql))
    stored_replies = Counter(
        t for (t,) in query(db_url, "SELECT submit_token::text FROM support_message WHERE body LIKE 'Reply %%'")
    )
    # Two rows of the same words would be a duplicate even under two tokens.
    same_words = query(db_url, "SELECT count(*) - count(DISTINCT subject) FROM support_supportrequest "
                               "WHERE subject LIKE 'Faults %%'")[0][0]  # fmt: skip
    same_words += query(db_url, "SELECT count(*) - count(DISTINCT body) FROM support_message "
                                "WHERE body LIKE 'Reply %%'")[0][0]  # fmt: skip

    def tally(sent, stored):
        acknowledged = {t for t, s in sent.items() if s.acknowledged}
        return {
            "sent": len(sent),
            "acknowledged": len(acknowledged),
            "stored": sum(1 for t in sent if stored[t]),
            "lost": len(acknowledged - {t for t in stored if stored[t]}),
            "stored_unacknowledged": sum(1 for t in sent if stored[t] and t not in acknowledged),
            "duplicated": sum(n - 1 for n in stored.values() if n > 1),
            "tries": sum(len(s.tries) for s in sent.values()),
        }

    by_kind = {"requests": tally(requests_, stored_requests), "replies": tally(replies, stored_replies)}
    totals = {key: by_kind["requests"][key] + by_kind["replies"][key] for key in by_kind["requests"]}
    totals["duplicated"] += same_words

    rows = query(db_url, "SELECT id, status, created FROM contacts_notification WHERE id >= %s", (first_pk,))
    received = [(t, message_pk(mid), wall) for t, mid, wall in sink.snapshot()]
    received = [(t, pk, wall) for t, pk, wall in received if pk is not None and pk >= first_pk]
    first_received = {}
    for _, pk, wall in received:
        first_received.setdefault(pk, wall)
    per_row = Counter(pk for _, pk, _ in received)
    row_ids = {pk for pk, _, _ in rows}
    emails = {
        "notification_rows": len(rows),
        "sent_rows": sum(1 for _, status, _ in rows if status == "SENT"),
        "emails_received": len(received),
        "duplicate_emails": sum(n - 1 for n in per_row.values() if n > 1),
        "missing_emails": len(row_ids - set(per_row)),
        "emails_of_no_row": len(set(per_row) - row_ids),
    }

    tries = [t for s in submissions for t in s.tries]
    windows = []
    for fault in faults:
        until = fault.end + WINDOW_AFTER
        in_window = [t for t in tries if fault.start - 1 <= t[0] <= until]
        after_end = sorted(t for t, _, _ in received if t >= fault.end)
        answered = sorted(t[1] for t in tries if t[0] >= fault.end and t[2] == 302)
        # The emails written while the fault lasted (and just before: in flight): when the last one arrived.
        start_wall, end_wall = fault.wall(fault.start - 1), fault.wall(fault.end)
        written = [pk for pk, _, created in rows if start_wall <= created.timestamp() <= end_wall]
        arrivals = [first_received.get(pk) for pk in written]
        windows.append({
            "fault": fault.name,
            "what": fault.what,
            "at_s": round(fault.start - t0, 1),
            "lasted_s": round(fault.end - fault.start, 1),
            "healed_s": None if fault.healed_s is None else round(fault.healed_s, 1),
            "heal_means": fault.note,
            "answers_again_s": round(answered[0] - fault.end, 1) if answered else None,
            "delivery_resumed_s": round(after_end[0] - fault.end, 1) if after_end else None,
            "emails_written_during": len(written),
            "those_delivered_s": (
                None if None in arrivals else round(max(0.0, max(arrivals, default=end_wall) - end_wall), 1)
            ),
            "answers": len(in_window),
            "answers_5xx": sum(1 for t in in_window if t[2] >= 500),
            "connection_errors": sum(1 for t in in_window if t[2] == 0),
        })  # fmt: skip
    fault_spans = [(f.start - 1, f.end + WINDOW_AFTER) for f in faults]
    outside = [t for t in tries if not any(a <= t[0] <= b for a, b in fault_spans)]
    quiet = {"answers": len(outside), "answers_5xx": sum(1 for t in outside if t[2] >= 500),
             "connection_errors": sum(1 for t in outside if t[2] == 0)}  # fmt: skip
    return {"submissions": {**by_kind, "total": totals}, "emails": emails, "faults": windows, "outside_faults": quiet}


def targets_missed(result: dict) -> list[str]:
    missed = []
    total, emails = result["submissions"]["total"], result["emails"]
    if total["lost"] > TARGETS["lost"]:
        missed.append(f"{total['lost']} acknowledged submissions lost")
    if total["duplicated"] > TARGETS["duplicated"]:
        missed.append(f"{total['duplicated']} submissions stored twice")
    if emails["duplicate_emails"] > TARGETS["duplicate_emails"]:
        missed.append(f"{emails['duplicate_emails']} emails received twice")
    if emails["missing_emails"] > TARGETS["missing_emails"]:
        missed.append(f"{emails['missing_emails']} notifications never received")
    for window in result["faults"]:
        back = window["healed_s"]
        if window["fault"] == "worker" and (back is None or back > TARGETS["worker_back_s"]):
            missed.append(f"the killed worker took {window['healed_s']} s to come back")
        if window["fault"] == "web" and window["healed_s"] is None:
            missed.append("the killed gunicorn worker was not replaced")
        resumed = window["delivery_resumed_s"]
        if resumed is None or resumed > TARGETS["delivery_resumed_s"]:
            missed.append(f"delivery resumed {resumed} s after the {window['fault']} fault")
    return missed


def write_report(result: dict) -> None:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / "faults.json").write_text(json.dumps(result, indent=2) + "\n")
    s, e, run = result["submissions"], result["emails"], result["run"]
    lines = [
        "# Fault run (`make faults`)",
        "",
        f"{run['date']}, {run['machine']}. {run['people']} people for {run['load_s']:.0f} s, faults "
        f"{run['spacing_s']:.0f} s apart: {', '.join(run['faults'])}. Drained {run['drain_s']:.0f} s after the load "
        f"stopped. Targets: {'all met' if not result['missed'] else 'MISSED: ' + '; '.join(result['missed'])}.",
        "",
        "| submissions | sent | acknowledged | stored | lost | stored twice | stored, unacknowledged | tries |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for kind in ("requests", "replies", "total"):
        k = s[kind]
        lines.append(f"| {kind} | {k['sent']} | {k['acknowledged']} | {k['stored']} | {k['lost']} | {k['duplicated']} "
                     f"| {k['stored_unacknowledged']} | {k['tries']} |")  # fmt: skip
    lines += [
        "",
        "| emails | Notification rows | sent rows | emails received | duplicate emails | missing |",
        "|---|---|---|---|---|---|",
        f"| | {e['notification_rows']} | {e['sent_rows']} | {e['emails_received']} | {e['duplicate_emails']} "
        f"| {e['missing_emails']} |",
        "",
        "| fault | at (s) | lasted (s) | healed (s) | answers again (s) | delivery resumed (s) "
        "| its emails delivered (s) | answers | >= 500 | connection errors |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for w in result["faults"]:
        lines.append(f"| {w['what']} | {w['at_s']} | {w['lasted_s']} | {w['healed_s']} | {w['answers_again_s']} "
                     f"| {w['delivery_resumed_s']} | {w['those_delivered_s']} ({w['emails_written_during']}) "
                     f"| {w['answers']} | {w['answers_5xx']} | {w['connection_errors']} |")  # fmt: skip
    q, workers = result["outside_faults"], result["workers"]
    heal = "; ".join(f"{w['fault']}: {w['heal_means']}" for w in result["faults"])
    lines += [
        f"| outside every fault's window | | | | | | | {q['answers']} | {q['answers_5xx']} "
        f"| {q['connection_errors']} |",
        "",
        f"Celery workers: {workers['exits']} exited ({workers['exits_caused']} killed by the run), "
        f"{workers['unrecoverable_errors']} logged 'Unrecoverable error'; {workers['held_when_redis_went']} "
        "messages were held by a worker when it lost Redis (the moment a worker used to exit).",
        "",
        f"A fault's window runs from its start to {WINDOW_AFTER:.0f} s after its end; answers are counted by "
        f"when they were sent. Healed, in seconds after the fault's start: {heal}. Answers again, delivery "
        "resumed and its emails delivered are seconds after the fault's end: until the first form sent after "
        "it was answered with success, until the SMTP server received the first email after it, and until "
        "every email written while it lasted (their number in brackets) was received.",
        "An answer is one try of a form: a person whose form got an error or no answer sends the same form "
        f"again (its one-time token), so an acknowledged submission may have taken several tries. The SMTP "
        f"server takes {SMTP_DELAY:.1f} s to accept each recipient, as a real one takes its time.",
        "The machine's 2 CPUs are shared with other work: timings vary from run to run.",
        "",
    ]
    (OUTPUT / "faults.md").write_text("\n".join(lines))


# --- the run ------------------------------------------------------------------------------------------


def main() -> int:
    from aiosmtpd.controller import Controller

    started_at = datetime.now()
    tmp = Path(tempfile.mkdtemp(prefix="portal-faults-"))
    os.chmod(tmp, 0o755)
    sink = MailSink()
    smtp_port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    pg = PostgresCluster(tmp)
    redis = RedisServer(tmp)
    prod = None
    load = Load()
    people = []
    try:
        controller.start()
        pg.start()
        redis.start()
        web_port = free_port()
        base = f"http://127.0.0.1:{web_port}"
        env = portal_env(tmp, pg, redis, smtp_port, web_port)
        log(f"PostgreSQL on {pg.port}, Redis on {redis.port}, SMTP on {smtp_port}, the portal on {web_port}; in {tmp}")
        (tmp / "var" / "run").mkdir(parents=True)
        subprocess.run([PYTHON, "manage.py", "migrate", "--no-input", "-v0"], cwd=ROOT, env=env, check=True)
        seed = SEED.format(password=PASSWORD, people=PEOPLE)
        subprocess.run([PYTHON, "-c", seed], cwd=ROOT, env=env, check=True)
        first_pk = (query(pg.url, "SELECT coalesce(max(id), 0) FROM contacts_notification")[0][0] or 0) + 1

        prod = Process("prod", ["make", "-s", "prod"], env, tmp)
        running = ["success: " + name + " entered RUNNING state" for name in ("web", "worker1", "worker2", "scheduler")]
        if not wait_for(lambda: all(line in prod.output() for line in running), timeout=180):
            raise RuntimeError(f"make prod did not start:\n{prod.output()[-4000:]}")
        log("make prod is up; the load starts")

        t0 = time.monotonic()
        for n in range(PEOPLE):
            thread = threading.Thread(target=person, args=(n, base, load), daemon=True)
            thread.start()
            people.append(thread)
        faults = []
        for i, name in enumerate(FAULTS):
            time.sleep(max(0.0, t0 + WARMUP + i * SPACING - time.monotonic()))
            log(f"fault: {name}")
            if name == "worker":
                faults.append(fault_worker(tmp, prod))
            elif name == "redis":
                faults.append(fault_redis(redis))
            elif name == "postgres":
                faults.append(fault_postgres(pg))
            elif name == "beat":
                faults.append(fault_beat(tmp, env))
            elif name == "web":
                faults.append(fault_web(tmp, base))
            else:
                raise SystemExit(f"unknown fault {name!r}")
            if name != "beat":
                faults[-1].done.set()
            log(f"  {faults[-1].what}: healed in {faults[-1].healed_s}")
        for fault in faults:
            fault.done.wait()
        time.sleep(max(0.0, max(f.end for f in faults) + TAIL - time.monotonic()) if faults else WARMUP)
        load.stop.set()
        for thread in people:
            thread.join(timeout=120)
        load_end = time.monotonic()
        log(f"the load stopped: {len(load.all())} submissions; the outbox drains")

        def drained():
            (unsent,) = query(pg.url, "SELECT count(*) FROM contacts_notification WHERE id >= %s AND status <> 'SENT'",
                              (first_pk,))[0]  # fmt: skip
            (rows,) = query(pg.url, "SELECT count(*) FROM contacts_notification WHERE id >= %s", (first_pk,))[0]
            got = {message_pk(mid) for _, mid, _ in sink.snapshot()}
            return unsent == 0 and sum(1 for pk in got if pk and pk >= first_pk) >= rows

        wait_for(drained, timeout=DRAIN_TIMEOUT, interval=1)
        drain_s = time.monotonic() - load_end
        time.sleep(2)  # a late duplicate would arrive now
        result = analyse(load, faults, sink, pg.url, first_pk, t0)
        result["run"] = {
            "date": started_at.strftime("%Y-%m-%d %H:%M"),
            "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs (shared)",
            "people": PEOPLE,
            "faults": FAULTS,
            "spacing_s": SPACING,
            "load_s": load_end - t0,
            "drain_s": drain_s,
            "command": "make faults",
        }
        result["missed"] = targets_missed(result)
        output = prod.output()
        result["workers"] = {
            # Messages a worker held when it lost Redis (where it used to exit), and what became of the workers.
            "held_when_redis_went": sum(int(n) for n in re.findall(r"Restoring (\d+) unacknowledged", output)),
            "unrecoverable_errors": output.count("Unrecoverable error"),
            "exits": len(re.findall(r"exited: worker\d", output)),
            "exits_caused": sum(1 for f in faults if f.name == "worker"),
        }
        if result["workers"]["unrecoverable_errors"]:
            result["missed"].append("a worker logged 'Unrecoverable error'")
        if result["workers"]["exits"] > result["workers"]["exits_caused"]:
            result["missed"].append("a Celery worker exited by itself")
        write_report(result)
        print((OUTPUT / "faults.md").read_text())
        return 1 if result["missed"] else 0
    finally:
        load.stop.set()
        if prod is not None:
            prod.stop(timeout=90)
        redis.stop()
        pg.stop()
        controller.stop()
        if os.environ.get("FAULTS_KEEP"):  # the processes' logs, to read after a run
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
