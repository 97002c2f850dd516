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
# DEBUG=0 as at run time: the manifest storage must write the manifest the app reads (bin/build-static).
RUN sh bin/build-static
USER wealthcrm
EXPOSE 8000
CMD ["gunicorn", "wealthcrm.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
