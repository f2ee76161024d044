#!/usr/bin/env bash
# CI smoke test of the production topology: nginx (Debian's, installed if missing) on a free port in front of two
# daphne processes with the production settings, on the PostgreSQL and Redis that DATABASE_URL and REDIS_URL name.
# Runs deploy/smoke.py through it (websocket chat, REST SSE chat, a change crossing processes). Under a minute.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?set DATABASE_URL (PostgreSQL)}" "${REDIS_URL:?set REDIS_URL}"
PY="${PYTHON:-.venv/bin/python}"

if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  APT_GET=apt-get; [ "$(id -u)" = 0 ] || APT_GET="sudo -n apt-get"
  echo "Installing Debian's nginx..."
  $APT_GET update -qq && DEBIAN_FRONTEND=noninteractive $APT_GET install -y -qq nginx >/dev/null
fi
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"

WORK="$(mktemp -d)"
PIDS=()
cleanup() {
  [ -f "$WORK/nginx.pid" ] && "$NGINX" -p "$WORK" -c "$WORK/nginx.conf" -s stop 2>/dev/null || true
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

read -r PORT_NGINX PORT_A PORT_B < <("$PY" -c '
import socket
socks = [socket.socket() for _ in range(3)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))')

export DJANGO_SETTINGS_MODULE=config.settings.production
export DJANGO_SECRET_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')"
export DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
export DJANGO_SECURE_SSL_REDIRECT=false DJANGO_TRUSTED_PROXIES=1 GROQ_API_KEY= GROQ_BASE_URL=
export DJANGO_LOG_LEVEL=WARNING
SMOKE_USER="smoke-$(date +%s)-$$"
export DJANGO_SUPERUSER_PASSWORD="smoke-pass-$$-$RANDOM"

"$PY" manage.py migrate --noinput -v 0
"$PY" manage.py collectstatic --noinput -v 0
"$PY" manage.py createsuperuser --noinput --username "$SMOKE_USER" --email smoke@example.com >/dev/null

for port in "$PORT_A" "$PORT_B"; do
  "$PY" -m core.serve -e "tcp:port=$port:interface=127.0.0.1:backlog=1024" config.asgi:application >"$WORK/daphne-$port.log" 2>&1 &
  PIDS+=("$!")
done

cp deploy/app_locations.conf "$WORK/app_locations.conf"
cp deploy/proxy_headers.conf "$WORK/todo_proxy_headers.conf"
# Started as root, nginx's workers run as an unprivileged user that cannot read a checkout under a private
# directory (mktemp -d is 0700): here they run as whoever runs the test.
WORKER_USER=""; [ "$(id -u)" = 0 ] && WORKER_USER="user root;"
cat >"$WORK/nginx.conf" <<CONF
$WORKER_USER
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  access_log off;
  client_body_temp_path $WORK/body; proxy_temp_path $WORK/proxy;
  fastcgi_temp_path $WORK/fastcgi; uwsgi_temp_path $WORK/uwsgi; scgi_temp_path $WORK/scgi;
  upstream todo_daphne { least_conn; server 127.0.0.1:$PORT_A; server 127.0.0.1:$PORT_B; keepalive 16; }
  map \$http_upgrade \$connection_upgrade { default upgrade; '' ''; }
  server {
    listen 127.0.0.1:$PORT_NGINX;
    location /static/ { alias $PWD/staticfiles/; }
    include app_locations.conf;
  }
}
CONF
"$NGINX" -p "$WORK" -c "$WORK/nginx.conf" -t -q
"$NGINX" -p "$WORK" -c "$WORK/nginx.conf"

for port in "$PORT_A" "$PORT_B" "$PORT_NGINX"; do
  for _ in $(seq 100); do
    "$PY" -c "import socket,sys; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null && break
    sleep 0.2
  done
done
STATIC="$(find staticfiles/vendor -name '*.js' | head -1)"
code="$("$PY" -c "import httpx; print(httpx.get('http://127.0.0.1:$PORT_NGINX/static/${STATIC#staticfiles/}').status_code)")"
[ "$code" = 200 ] || { echo "FAIL static file through nginx: $code"; exit 1; }
echo "ok  static files from nginx"

if ! "$PY" deploy/smoke.py --nginx "http://127.0.0.1:$PORT_NGINX" --a "http://127.0.0.1:$PORT_A" \
    --b "http://127.0.0.1:$PORT_B" --user "$SMOKE_USER" --password "$DJANGO_SUPERUSER_PASSWORD"; then
  echo "--- daphne logs"; tail -n 40 "$WORK"/daphne-*.log; echo "--- nginx"; tail -n 20 "$WORK/nginx-error.log"
  exit 1
fi
