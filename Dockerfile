FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

RUN useradd --create-home --uid 1000 wealthcrm
COPY pyproject.toml README.md ./
COPY wealthcrm ./wealthcrm
COPY clients ./clients
COPY tiers ./tiers
COPY referrals ./referrals
COPY performance ./performance
COPY bench ./bench
RUN pip install .
COPY . .
# collectstatic needs settings that import cleanly; the real secrets come from the environment at run time.
RUN DEBUG=1 DATABASE_URL=postgres://build@localhost/build REDIS_URL=redis://localhost:6379/0 \
    SECRET_KEY=collectstatic-only FIELD_ENCRYPTION_KEY=$(python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())") \
    python manage.py collectstatic --noinput
USER wealthcrm
EXPOSE 8000
CMD ["gunicorn", "wealthcrm.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
