# Tradeoff Lab: the Streamlit app and its engine in one slim image.
#   docker build -t tradeoff-lab . && docker run --rm -p 8501:8501 tradeoff-lab   # then open http://localhost:8501
#   (for a lecture hall: N replicas behind HAProxy, deploy/compose.yaml and deploy/README.md)
# Base pinned by tag and by digest (the multi-platform index of python:3.12.15-slim-bookworm as published on Docker
# Hub, observed October 2026): a rebuild gets the same bytes. Bump both together, on purpose (README, "Supply
# chain"). Every wheel the lab needs is on PyPI for CPython 3.12, so no compiler.
FROM python:3.12.15-slim-bookworm@sha256:54c85f3c47607a77f32adec749d3c81d1348bf25833671f512b26a9b6d778cb3

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false

WORKDIR /app

# Dependencies first, from the lock (every package pinned with its hashes: pip refuses a wheel whose hash differs),
# so a code change does not reinstall them.
COPY requirements.lock .
RUN pip install --no-cache-dir --require-hashes -r requirements.lock

# The app (owned by root, read-only for the user that runs it).
COPY app.py ./
COPY .streamlit/ .streamlit/
COPY engine/ engine/
COPY data/ data/
COPY figures/ figures/
COPY ui/ ui/
COPY views/ views/
COPY scripts/replica.py scripts/

# A non-root user, named by number so a host (or Kubernetes' runAsNonRoot) can check it is not root.
RUN groupadd --gid 10001 lab \
    && useradd --uid 10001 --gid 10001 --create-home --shell /usr/sbin/nologin --no-log-init lab
USER 10001:10001

EXPOSE 8501
# The replica warms every page for every preset before /_stcore/health says ok (503 "warming up" meanwhile).
HEALTHCHECK --interval=10s --timeout=5s --start-period=300s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://localhost:8501/_stcore/health', timeout=4).read() != b'ok')"]
CMD ["python", "scripts/replica.py", "--server.address=0.0.0.0", "--server.port=8501"]
