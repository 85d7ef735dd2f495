#!/usr/bin/env bash
# Builds the Temporal server and its SQL schema tool from source into the git-ignored .tools/bin:
#   .tools/bin/temporal-server     go.temporal.io/server/cmd/server
#   .tools/bin/temporal-sql-tool   go.temporal.io/server/cmd/tools/sql
#   .tools/temporal-schema/        the server's PostgreSQL schema (schema/postgresql/v12 of its module)
# at the release the Temporal CLI (TEMPORAL_CLI_VERSION, default v1.5.1) embeds, with the CLI's own
# dependency versions (its go.mod and go.sum), so the production topology (scripts/topology.ts) runs the
# same server as the dev server, and the build reuses what building the CLI left in Go's build cache.
# Slow the first time (many minutes on 2 cores); GOFLAGS=-p=1 keeps it to one compile at a time.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools_bin="$repo_root/.tools/bin"
src="$repo_root/.tools/src/temporal-server"
cli_version="${TEMPORAL_CLI_VERSION:-v1.5.1}"

say() { echo "[build-temporal-server] $*" >&2; }
command -v go >/dev/null 2>&1 || { say "ERROR: Go is needed (https://go.dev/dl)"; exit 1; }

if [ -x "$tools_bin/temporal-server" ] && [ -x "$tools_bin/temporal-sql-tool" ] &&
  [ -d "$repo_root/.tools/temporal-schema/temporal" ] && [ -z "${REBUILD:-}" ]; then
  say "already built: $tools_bin/temporal-server, $tools_bin/temporal-sql-tool (REBUILD=1 to build again)"
  exit 0
fi

cli_dir="$(go mod download -json "github.com/temporalio/cli@$cli_version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
[ -n "$cli_dir" ] && [ -f "$cli_dir/go.mod" ] || { say "ERROR: cannot download github.com/temporalio/cli@$cli_version"; exit 1; }
server_version="$(sed -n 's/^[[:space:]]*go.temporal.io\/server \(v[^ ]*\).*/\1/p' "$cli_dir/go.mod" | head -n1)"
say "Temporal CLI $cli_version embeds go.temporal.io/server $server_version; building it with the CLI's dependencies"

mkdir -p "$src" "$tools_bin"
sed 's|^module .*|module shouhou.local/temporal-server|' "$cli_dir/go.mod" >"$src/go.mod"
cp "$cli_dir/go.sum" "$src/go.sum"
chmod u+w "$src/go.mod" "$src/go.sum"

cd "$src"
export CGO_ENABLED=0 GOFLAGS="${GOFLAGS:--p=1} -mod=mod"
say "go build go.temporal.io/server/cmd/server → $tools_bin/temporal-server"
go build -o "$tools_bin/temporal-server" go.temporal.io/server/cmd/server
say "go build go.temporal.io/server/cmd/tools/sql → $tools_bin/temporal-sql-tool"
go build -o "$tools_bin/temporal-sql-tool" go.temporal.io/server/cmd/tools/sql
server_dir="$(go list -m -f '{{.Dir}}' go.temporal.io/server)"
rm -rf "$repo_root/.tools/temporal-schema"
cp -R "$server_dir/schema/postgresql/v12" "$repo_root/.tools/temporal-schema"
chmod -R u+w "$repo_root/.tools/temporal-schema"
"$tools_bin/temporal-server" --version >&2 || true
say "done"
