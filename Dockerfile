# Reference image for docker-compose.yml: one image, every Booth process (web, worker,
# scheduler) is a different command.
FROM python:3.12-slim
ENV PYTHONUNBUFFERED=1 BOOTH_VAR_DIR=/var/lib/booth BOOTH_STATIC_MANIFEST=true \
    STATIC_ROOT=/srv/booth/staticfiles
WORKDIR /srv/booth
# Debian's programs Booth runs: espeak-ng reads stories aloud offline (BOOTH_NARRATOR=espeak),
# ffmpeg encodes that speech to MP3 and makes the slow-motion replays.
RUN apt-get update \
    && apt-get install -y --no-install-recommends espeak-ng ffmpeg \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md manage.py ./
COPY booth booth
COPY kernel kernel
COPY experiences experiences
COPY displays displays
COPY moderation moderation
COPY visitors visitors
COPY operations operations
COPY templates templates
COPY static static
RUN pip install --no-cache-dir . \
    && python manage.py compiletranslations \
    && python manage.py collectstatic --no-input -v0
EXPOSE 8000
# The web process is uvicorn; set BOOTH_WEB_SERVER=daphne for daphne (docs/deployment.md).
CMD ["python", "manage.py", "serve", "--no-worker", "--host", "0.0.0.0", "--port", "8000"]
