#!/bin/sh
# Load test: gunicorn + PostgreSQL on loopback, locust headless.
#   tests/load/run.sh [USERS] [SECONDS]      (defaults: 50 users, 90 s)
# The demo data in a database made afresh (LOAD_DB, default portal_load: dropped and re-created);
# or, with LOAD_URL, an existing database as it is (e.g. the bench's province of
# tests/bench/generate.py), where the managers of LOAD_MANAGERS (NAME=UNIT_CODE ...) are
# created if missing. Needs: PostgreSQL on 127.0.0.1:5432 (user postgres),
# pip install -e '.[prod,test]' locust.
set -eu
USERS=${1:-50}
SECONDS_=${2:-90}
PORT=${LOAD_PORT:-8765}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=${LOAD_OUT:-$HERE/results}
mkdir -p "$OUT"
cd "$ROOT"
export PORTAL_INSTANCE="$OUT/instance"
export SECRET_KEY=load-test-secret
export LOAD_ACCOUNTS="$OUT/accounts.json"
if [ -n "${LOAD_URL:-}" ]; then
    export DATABASE_URL="$LOAD_URL"
    # shellcheck disable=SC2086
    python -m tests.load.accounts "$LOAD_ACCOUNTS" ${LOAD_MANAGERS:?NAME=UNIT_CODE ...}
else
    DB=${LOAD_DB:-portal_load}
    export DATABASE_URL="postgresql://postgres@127.0.0.1:5432/$DB"
    dropdb -h 127.0.0.1 -U postgres --if-exists "$DB"
    createdb -h 127.0.0.1 -U postgres "$DB"
    python -m flask --app wsgi demo > "$OUT/demo.log"
    python -m tests.load.accounts "$LOAD_ACCOUNTS" shinan huangdao
fi
python -m flask --app wsgi jobs recover > /dev/null
# the repository's gunicorn.conf.py (keep-alive, timeouts), fewer workers on a small machine
python -m gunicorn -c "$ROOT/gunicorn.conf.py" -w "${LOAD_WORKERS:-3}" --threads 4 \
    -b "127.0.0.1:$PORT" --access-logfile /dev/null --error-logfile "$OUT/gunicorn.log" wsgi:app &
GUNICORN=$!
trap 'kill $GUNICORN 2>/dev/null || true; wait $GUNICORN 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
    curl -fs -o /dev/null "http://127.0.0.1:$PORT/login" && break
    sleep 1
done
python -m locust -f "$HERE/locustfile.py" --headless -u "$USERS" -r "${LOAD_RATE:-5}" \
    -t "${SECONDS_}s" --host "http://127.0.0.1:$PORT" --csv "$OUT/load" --only-summary
