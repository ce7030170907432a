#!/bin/sh
# The whole HTTP benchmark at one size, from a fresh machine:
#   bench/http/run.sh S            (or M; extra options go to python -m bench.http)
# Installs wrk if it is missing, creates and fills the PostgreSQL database
# tacit_bench_<size> if it is empty (BENCH_DATABASE_URL overrides it) and its
# search index if it has none or an outdated one, then
# serves the portal and the ceiling with gunicorn and drives both with wrk.
set -eu
cd "$(dirname "$0")/../.."
SIZE="${1:-S}"
[ $# -gt 0 ] && shift
LOWER=$(echo "$SIZE" | tr 'A-Z' 'a-z')
URL="${BENCH_DATABASE_URL:-postgresql+psycopg://${PGUSER:-$(id -un)}@127.0.0.1:5432/tacit_bench_$LOWER}"
PY=.venv/bin/python

if ! command -v wrk >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
    $SUDO apt-get install -y wrk || { $SUDO apt-get update && $SUDO apt-get install -y wrk; }
fi
DB="${URL##*/}"
createdb -h 127.0.0.1 "$DB" 2>/dev/null || true
if [ "$($PY -c "import sqlalchemy as sa, sys
e = sa.create_engine(sys.argv[1])
with e.connect() as c:
    print(int(sa.inspect(c).has_table('users') and c.execute(sa.text('select count(*) from users')).scalar() > 0))" "$URL")" != 1 ]; then
    $PY -m bench.generate --size "$SIZE" --database-url "$URL" --reset
fi
# Data generated before the last migration get its schema changes.
DATABASE_URL="$URL" .venv/bin/flask --app portal db upgrade >/dev/null
# Each benchmark database has its own search index (bench/__init__.py), rebuilt
# when it is missing or was built with another schema.
INDEX=$($PY -c "import sys; from bench import search_index_dir; print(search_index_dir(sys.argv[1]))" "$URL")
if [ "$($PY -c "import sys; from portal.search import backend; print(backend.status(sys.argv[1]))" "$INDEX")" != ok ]; then
    DATABASE_URL="$URL" SEARCH_INDEX_DIR="$INDEX" .venv/bin/flask --app portal search rebuild --procs 2
fi
exec $PY -m bench.http --size "$SIZE" --database-url "$URL" "$@"
