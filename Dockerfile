FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
# collectstatic needs a key to import settings; the real one comes from the environment.
RUN SECRET_KEY=build-only DEBUG=0 python manage.py collectstatic --noinput \
    && useradd --system --home /app vosportal && mkdir -p /app/var && chown vosportal /app/var
USER vosportal

EXPOSE 8000
# Threads, not sync workers: a page spends most of its time waiting on VOS (20 ms to a
# read timeout's 30 s), and a thread waiting holds no core. With sync workers a switch
# that hangs took every worker in three requests. Database connections: workers ×
# threads per host (docs/scaling.md). Idle keep-alive connections are kept 75 s: longer
# than a proxy in front keeps its own (nginx: 60 s), so the proxy closes them first and
# never sends a request down a connection gunicorn is closing at that moment.
# benchmarks/harness.py starts this same command.
CMD ["gunicorn", "vosportal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--worker-class", "gthread", "--threads", "8", "--keep-alive", "75", "--access-logfile", "-"]
