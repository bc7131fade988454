#!/usr/bin/env bash
# Writes prisma/migrations/<timestamp>_<name>/migration.sql: the SQL from the schema at HEAD
# (or from nothing, for the first migration) to prisma/schema.prisma as it is now.
# `prisma migrate dev` needs the native engine, which this project does not use.
set -euo pipefail
name=${1:?usage: npm run db:new-migration -- <snake_case_name>}
cd "$(dirname "$0")/.."
export CHECKPOINT_DISABLE=1
# A diff needs no data, only a connection: a throw-away in-memory database, never ./data.
export DATABASE_URL=pglite:memory
from=(--from-empty)
if git cat-file -e HEAD:prisma/schema.prisma 2>/dev/null; then
  head_schema=$(mktemp --suffix=.prisma)
  trap 'rm -f "$head_schema"' EXIT
  git show HEAD:prisma/schema.prisma >"$head_schema"
  from=(--from-schema-datamodel "$head_schema")
fi
dir="prisma/migrations/$(date -u +%Y%m%d%H%M%S)_${name}"
sql=$(npx prisma migrate diff "${from[@]}" --to-schema-datamodel prisma/schema.prisma --script)
if ! grep -qv '^--' <<<"$sql" || [ -z "$(grep -v '^--' <<<"$sql" | tr -d '[:space:]')" ]; then
  echo "prisma/schema.prisma has no changes against HEAD: no migration written" >&2
  exit 1
fi
mkdir -p "$dir"
printf '%s\n' "$sql" >"$dir/migration.sql"
echo "wrote $dir/migration.sql — review it, then commit it with the schema"
