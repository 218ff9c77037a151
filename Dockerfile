FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    VAR_DIR=/var/lib/brokerage \
    DJANGO_SETTINGS_MODULE=brokerage.settings.production

WORKDIR /app
COPY requirements/lock.txt requirements/lock.txt
RUN pip install --no-cache-dir --require-hashes -r requirements/lock.txt
COPY . .
RUN useradd --system --home /app brokerage \
    && mkdir -p /var/lib/brokerage \
    && SECRET_KEY=collectstatic-only-not-a-runtime-secret-0123456789abcdefghijklmnop \
       python manage.py collectstatic --no-input \
    && chown -R brokerage /var/lib/brokerage
USER brokerage
EXPOSE 8000
CMD ["gunicorn", "brokerage.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3"]
