# Production image: the PMS web app, Celery worker and beat share it.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PMS_VAR_DIR=/var/lib/pms
RUN apt-get update \
 && apt-get install -y --no-install-recommends gettext \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY manage.py ./
COPY pms pms
COPY legal_entities legal_entities
COPY reservations reservations
COPY integrations integrations
COPY emis emis
COPY emis_sandbox emis_sandbox
COPY templates templates
COPY static static
RUN pip install --no-cache-dir . \
 && python manage.py compilemessages -v0 \
 && SECRET_KEY=build PMS_ENCRYPTION_KEYS=$(python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())") \
    python manage.py collectstatic --noinput -v0 \
 && useradd --system --home /app pms && mkdir -p /var/lib/pms && chown -R pms /var/lib/pms
USER pms
EXPOSE 8000
# Bind, workers, timeout and an access log without query strings (guest
# surnames): pms/gunicorn_conf.py.
CMD ["gunicorn", "-c", "python:pms.gunicorn_conf", "pms.wsgi:application"]
