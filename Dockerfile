# The image compose.yaml builds (docs/deploy.md). One image for web, worker and scheduler.
FROM python:3.13-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY config ./config
COPY firmpay ./firmpay
COPY stripe_sandbox ./stripe_sandbox
COPY templates ./templates
COPY manage.py gunicorn.conf.py ./
RUN pip install --no-cache-dir . \
    && DJANGO_ENV=development SECRET_KEY=collectstatic-only FIRMPAY_DATA_DIR=/tmp/build \
       python manage.py collectstatic --noinput \
    && rm -rf /tmp/build \
    && useradd --system --uid 10001 firmpay
USER firmpay
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4", "--access-logfile", "-", "--logger-class", "firmpay.ops.access_log.AccessLogger"]
