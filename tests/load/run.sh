#!/bin/sh
# Load test: gunicorn + PostgreSQL on loopback, demo data, locust headless.
#   tests/load/run.sh [USERS] [SECONDS]      (defaults: 50 users, 90 s)
# Needs: PostgreSQL on 127.0.0.1:5432 (user postgres), pip install -e '.[prod,test]' locust.
set -eu
USERS=${1:-50}
SECONDS_=${2:-90}
DB=${LOAD_DB:-portal_load}
PORT=${LOAD_PORT:-8765}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=${LOAD_OUT:-$HERE/results}
mkdir -p "$OUT"
cd "$ROOT"
export DATABASE_URL="postgresql://postgres@127.0.0.1:5432/$DB"
export PORTAL_INSTANCE="$OUT/instance"
export SECRET_KEY=load-test-secret
dropdb -h 127.0.0.1 -U postgres --if-exists "$DB"
createdb -h 127.0.0.1 -U postgres "$DB"
python -m flask --app wsgi demo > "$OUT/demo.log"
python -m flask --app wsgi jobs recover > /dev/null
python -m gunicorn -w "${LOAD_WORKERS:-3}" --threads 4 -b "127.0.0.1:$PORT" \
    --access-logfile /dev/null --error-logfile "$OUT/gunicorn.log" wsgi:app &
GUNICORN=$!
trap 'kill $GUNICORN 2>/dev/null || true; wait $GUNICORN 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
    curl -fs -o /dev/null "http://127.0.0.1:$PORT/login" && break
    sleep 1
done
python -m locust -f "$HERE/locustfile.py" --headless -u "$USERS" -r 5 -t "${SECONDS_}s" \
    --host "http://127.0.0.1:$PORT" --csv "$OUT/load" --only-summary
