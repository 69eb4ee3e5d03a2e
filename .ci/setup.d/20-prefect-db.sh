# Sourced by .ci/run after 10-postgres.sh: a separate database for the Prefect server that the
# end-to-end tests start (tests/e2e/test_server.py resets its schema before each session).
if command -v pg_ctlcluster >/dev/null 2>&1 && su postgres -c "pg_isready -q"; then
  su postgres -c "psql -qtc \"SELECT 1 FROM pg_database WHERE datname='nianbao_prefect'\"" \
    | grep -q 1 || su postgres -c "createdb nianbao_prefect"
  export NIANBAO_TEST_PREFECT_PG_URL="postgresql+asyncpg://postgres:postgres@127.0.0.1:5432/nianbao_prefect"
fi
