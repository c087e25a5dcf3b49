# Read by gunicorn when started from the project root (make run, Procfile, Dockerfile).
# The access log goes through firmpay/ops/access_log.py, which redacts bearer tokens
# (client links, invitations, password-reset links, OAuth code/state) from every line.
logger_class = "firmpay.ops.access_log.AccessLogger"
# Sync workers that skip gunicorn's linger on close when the request body was read to its
# end (firmpay/ops/gunicorn_worker.py): a quarter of a worker's time at webhook rates.
worker_class = "firmpay.ops.gunicorn_worker.SyncWorker"
