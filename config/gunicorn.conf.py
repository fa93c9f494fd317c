"""gunicorn settings of the web process: docker-compose's `web`, docs/deployment.md and `make soak` start it with
``gunicorn -c config/gunicorn.conf.py config.wsgi:application``; command-line options and GUNICORN_CMD_ARGS
override any of them.

Synchronous workers, two per core. A page is mostly Python (CPU-bound), so threads in one process only queue on
the interpreter lock; and a threaded worker accepts connections while busy, so the users whose connections it
happens to hold wait behind one another while another process idles. A sync worker takes the next request only
when free: every request waits its turn in one queue, and the slowest answers stay close to the typical one.
Two processes per core keep the cores busy while a request waits on PostgreSQL. Measured on a 2-core machine at
20 users (docs/soak.md): sync × 4 57 req/s, p95 444 ms; sync × 3 54 req/s, p95 467 ms; sync × 5 50 req/s, p95
509 ms; threaded 3 × 2 54 req/s, p95 734 ms (765 ms without keep-alive).

Sync workers expect a buffering proxy in front (the TLS proxy of docs/deployment.md): slow clients are the proxy's
to wait for, and each request is a connection of its own between the proxy and gunicorn.
"""

import os

worker_class = "sync"
# WEB_CONCURRENCY is gunicorn's own variable; docker-compose passes it through (docs/deployment.md).
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * (os.cpu_count() or 1))
threads = 1  # more than one would make gunicorn switch to threaded workers
timeout = 30  # long work belongs in tracked jobs (registry/jobs.py)
graceful_timeout = 30
