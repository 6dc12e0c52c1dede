# todo_api in a container (Railway, Fly.io, Cloud Run, any Docker host).
# Two stages: dependencies are resolved from uv.lock and compiled to bytecode in the
# first; the runtime image holds only the virtualenv (the web UI is package data in it,
# so public/, the copy for Vercel's CDN, is not copied) and a non-root user.
FROM python:3.12-slim AS build
RUN pip install --no-cache-dir "uv>=0.5"
WORKDIR /app
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --locked --no-dev --no-install-project
COPY src ./src
# Optional extras, e.g. `docker build --build-arg EXTRAS=sentry` for SENTRY_DSN.
ARG EXTRAS=""
RUN uv sync --locked --no-dev --no-editable ${EXTRAS:+--extra "$EXTRAS"}

FROM python:3.12-slim
RUN useradd --create-home --uid 10001 app && mkdir -p /app/data && chown app /app/data
WORKDIR /app
COPY --from=build /app/.venv /app/.venv
# TODO_PLATFORM=container: a signing secret is required (no generated dev secret).
# FORWARDED_ALLOW_IPS: the platform's proxy sets X-Forwarded-For/Proto.
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    TODO_PLATFORM=container \
    TODO_DATA_DIR=/app/data \
    FORWARDED_ALLOW_IPS=* \
    PORT=8000
USER app
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ['PORT']}/health\", timeout=4)"]
CMD ["todo-api", "serve", "--host", "0.0.0.0"]
