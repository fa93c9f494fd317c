"""gunicorn settings of the web process: docker-compose's `web`, docs/deployment.md and `make soak` start it with
``gunicorn -c config/gunicorn.conf.py config.wsgi:application``; command-line options and GUNICORN_CMD_ARGS
override any of them.

Threaded workers, one more process than cores: a request waiting on PostgreSQL leaves its process's CPU to the
other thread, and a second thread is enough for that, since a page spends most of its time in Python (more threads
per process only queue on the interpreter lock and stretch the slowest answers). Measured in docs/soak.md.
"""

import os

worker_class = "gthread"
# WEB_CONCURRENCY is gunicorn's own variable; docker-compose passes it through (docs/deployment.md).
workers = int(os.environ.get("WEB_CONCURRENCY") or (os.cpu_count() or 1) + 1)
threads = 2
timeout = 30  # long work belongs in tracked jobs (registry/jobs.py)
graceful_timeout = 30
keepalive = 5  # the TLS proxy in front keeps connections open to the web container
