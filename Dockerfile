# Kallelse Testbed images, built from the repository root. Three stages:
#   build     builds the wheel (the installed package, never an editable checkout);
#   load      the wheel with the [load] extra: the locust master and workers
#             (`docker build --target load`, docker-compose.yml's locust services);
#   (default) the wheel with the [postgres] extra and no load tools: the simulator
#             (kallelse serve) and the dispatch workers (kallelse worker).
# Both install through requirements.lock, the versions CI tests.
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md requirements.lock ./
COPY simulator ./simulator
COPY contracts ./contracts
COPY conformance ./conformance
COPY loadtests ./loadtests
COPY rivta ./rivta
COPY dispatchcore ./dispatchcore
COPY regions ./regions
RUN pip wheel --no-deps --wheel-dir /wheels .

FROM python:3.11-slim AS load
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
COPY --from=build /src/requirements.lock /wheels/ /tmp/install/
RUN pip install --constraint /tmp/install/requirements.lock "$(ls /tmp/install/*.whl)[load]" && rm -rf /tmp/install
WORKDIR /app
EXPOSE 5557

FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
COPY --from=build /src/requirements.lock /wheels/ /tmp/install/
RUN pip install --constraint /tmp/install/requirements.lock "$(ls /tmp/install/*.whl)[postgres]" && rm -rf /tmp/install
WORKDIR /app
EXPOSE 8080
CMD ["kallelse", "serve", "--host", "0.0.0.0", "--port", "8080", "--seed"]
