# Sourced by .ci/run: start Debian's PostgreSQL 15 and point the tests at a test database.
if command -v pg_ctlcluster >/dev/null 2>&1; then
  pg_ctlcluster 15 main start 2>/dev/null || true
  for _ in $(seq 1 30); do
    su postgres -c "pg_isready -q" && break
    sleep 1
  done
  su postgres -c "psql -qtc \"SELECT 1 FROM pg_database WHERE datname='nianbao_test'\"" | grep -q 1 \
    || su postgres -c "createdb nianbao_test"
  su postgres -c "psql -qc \"ALTER USER postgres PASSWORD 'postgres'\""
  export NIANBAO_TEST_PG_URL="postgresql+psycopg://postgres:postgres@127.0.0.1:5432/nianbao_test"
fi
