# The Kallelse Testbed image: the simulator (kallelse serve) and the dispatch workers
# (kallelse worker) on PostgreSQL, as docker-compose.yml runs them. Two stages: the first
# builds the wheel, the second installs that wheel (not an editable checkout) with the
# PostgreSQL extra and nothing for load testing (that image is loadtests/Dockerfile).
# Build context: the repository root.
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md requirements.lock ./
COPY simulator ./simulator
COPY contracts ./contracts
COPY conformance ./conformance
COPY loadtests ./loadtests
RUN pip wheel --no-deps --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
COPY --from=build /src/requirements.lock /tmp/requirements.lock
COPY --from=build /wheels /wheels
RUN pip install --constraint /tmp/requirements.lock "$(ls /wheels/*.whl)[postgres]" && rm -rf /wheels
WORKDIR /app
EXPOSE 8080
CMD ["kallelse", "serve", "--host", "0.0.0.0", "--port", "8080", "--seed"]
