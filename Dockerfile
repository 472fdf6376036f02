# The CRM API server on Debian bookworm, built with the same Makefile
# targets as a checkout. PostgreSQL runs elsewhere: pass CRM_DATABASE_URL
# and a JWT secret (CRM_JWT_SECRET_FILE from a mounted secret, >= 32 bytes).
#
#   docker build -t crm-api .
#   docker run --rm -e CRM_ADMIN_URL=postgresql://owner@db/crm crm-api \
#       scripts/db.sh migrate
#   docker run -p 8888:8888 \
#       -e CRM_DATABASE_URL='host=db dbname=crm user=crm_app password=…' \
#       -e CRM_JWT_SECRET_FILE=/run/secrets/jwt -v ./jwt:/run/secrets/jwt:ro crm-api
FROM debian:bookworm-slim

RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      make gcc libc6-dev kore libjansson-dev libjwt-dev libargon2-dev \
      libpq-dev libssl-dev python3 python3-yaml postgresql-client-15 curl \
      ca-certificates \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY Makefile ./
COPY src ./src
COPY conf ./conf
COPY scripts ./scripts
COPY sql ./sql
COPY api-spec ./api-spec
RUN make build \
 && useradd --system --home-dir /app --shell /usr/sbin/nologin crm \
 && mkdir -p /app/var && chown crm /app/var

USER crm
ENV CRM_VAR=/app/var \
    CRM_LISTEN_HOST=0.0.0.0 \
    CRM_LISTEN_PORT=8888 \
    CRM_WORKERS=2 \
    CRM_DB_POOL=16 \
    CRM_BODY_MAX=1048576 \
    CRM_ACCESS_TTL=900 \
    CRM_REFRESH_TTL=2592000 \
    CRM_JWT_ISSUER=crm-api \
    CRM_JWT_AUDIENCE=crm-clients
EXPOSE 8888
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s \
  CMD curl -fsS http://127.0.0.1:8888/healthz || exit 1
CMD ["bash", "scripts/server.sh", "run"]
