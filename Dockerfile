# Tessera: the `tessera` server and the `tessera-worker` binaries on a slim Debian runtime.
#   docker build -t tessera .
#   docker run -p 3000:3000 -e APP_SECRET=... -e DATABASE_URL=postgres://... tessera
FROM rust:1.95-slim-bookworm AS build
# SAML (samael with xmlsec) links libxmlsec1/libxml2/OpenSSL and runs bindgen (libclang).
RUN apt-get update \
    && apt-get install -y --no-install-recommends pkg-config libssl-dev libxml2-dev libxmlsec1-dev libclang-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p tessera-server -p tessera-worker

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates libssl3 libxml2 libxmlsec1 libxmlsec1-openssl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/tessera --create-home tessera
COPY --from=build /src/target/release/tessera /usr/local/bin/tessera
COPY --from=build /src/target/release/tessera-worker /usr/local/bin/tessera-worker
USER 10001
WORKDIR /var/lib/tessera
ENV TESSERA_DATA_DIR=/var/lib/tessera \
    TESSERA_HOST=0.0.0.0 \
    PORT=3000
EXPOSE 3000
CMD ["tessera", "serve"]
