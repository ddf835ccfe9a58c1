"""gunicorn settings for this app (``gunicorn -c gunicorn.conf.py app:server``).

gthread workers keep connections alive, which Dash's many small requests need (a sync
worker hung cross-site iframes in Chromium); the database is prepared once, in the
master process, before any worker starts. The app logs each request as JSON itself.
"""

import os

# Under gunicorn the app runs as a production service unless told otherwise.
os.environ.setdefault("APP_ENV", "production")

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8050')}"
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = 60
keepalive = 5
# A worker is replaced after this many requests (jittered so they do not all restart together):
# the memory a Python process takes for its largest requests is rarely given back to the system.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
# gunicorn's control socket (for ``gunicornc``) defaults to one path per user, so a second
# instance on the host took it over from the first. Off unless this instance is given a path.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True
# A gthread worker keeps each keep-alive connection for as long as its client keeps it busy,
# so a proxy's few pooled connections all stayed on one worker (and, after a recycle, on the
# survivor while the new worker idled). Closing a connection after this many requests lets
# its client reconnect to whichever worker accepts first.
REQUESTS_PER_CONNECTION = 100
accesslog = None
logconfig_dict = {
    "version": 1,
    "formatters": {"json": {"()": "dashboard.server.serving.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"level": "INFO", "handlers": ["console"]},
    "loggers": {"gunicorn.error": {"level": "INFO", "handlers": ["console"], "propagate": False}},
}


def on_starting(server):
    from queries.bootstrap import bootstrap
    from queries.db import make_engine

    engine = make_engine()
    bootstrap(engine, demo=os.environ.get("DEMO_ON_EMPTY", "true").lower() != "false")
    engine.dispose()


# glibc keeps memory that a thread's large request freed (pandas frames of a force-wide query)
# in per-thread arenas instead of returning it, so an idle worker's resident memory only ever
# rises. Fewer arenas, and handing freed pages back now and then, keep it near what is in use.
_MALLOC_ARENA_MAX = -8  # mallopt's M_ARENA_MAX
_TRIM_EVERY = 100
_served = [0]


def _libc():
    import ctypes
    import ctypes.util

    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None


def post_fork(server, worker):
    libc = _libc()
    if libc is not None and hasattr(libc, "mallopt"):
        libc.mallopt(_MALLOC_ARENA_MAX, 2)


def post_worker_init(worker):
    # What the app does once per process before serving (the stylesheets' parse), so that
    # no visitor's request pays it.
    for warm in getattr(worker.wsgi, "extensions", {}).get("warm_up", ()):
        warm()
    # Everything loaded so far (Dash, plotly, pandas, the app) lives as long as the worker:
    # moved out of the garbage collector's sight, it is no longer walked by every full
    # collection, which a force-wide request (a hundred thousand count rows) set off
    # several times, adding about a third to its time.
    import gc

    gc.freeze()
    # Young collections after ten thousand new objects, not 700: a force-wide hotspot request
    # set off about seventy young collections and, every other request, a full one, a tenth
    # of its time; cycles are still collected, less often.
    gc.set_threshold(10_000, 10, 10)


def pre_request(worker, req):
    if req.req_number >= REQUESTS_PER_CONNECTION:
        req.must_close = True  # answered with "Connection: close"


def post_request(worker, req, environ, resp):
    _served[0] += 1
    if _served[0] % _TRIM_EVERY == 0:
        libc = _libc()
        if libc is not None and hasattr(libc, "malloc_trim"):
            libc.malloc_trim(0)
