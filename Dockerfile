# LSTM Conveyor: the app alone (no test extras), served by uvicorn on 0.0.0.0:8000.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --create-home --uid 10001 --user-group conveyor
WORKDIR /srv/lstm-conveyor

COPY pyproject.toml README.md LICENSE ./
COPY app ./app
COPY static ./static
COPY templates ./templates
# Editable, so the installed app finds static/ and templates/ beside it.
RUN pip install --no-cache-dir --editable .

USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/health', timeout=4)"]
CMD ["python", "-m", "app", "--host", "0.0.0.0", "--port", "8000"]
