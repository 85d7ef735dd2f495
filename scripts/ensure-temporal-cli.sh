#!/usr/bin/env bash
# Prints the path of a usable `temporal` CLI on stdout (one line); progress and errors go to stderr.
#
# Order:
#   1. $TEMPORAL_CLI_PATH (must be an executable file, else this fails)
#   2. `temporal` on PATH
#   3. <repo>/.tools/bin/temporal (git-ignored; left by an earlier run)
#   4. with Go: GOBIN=<repo>/.tools/bin go install github.com/temporalio/cli/cmd/temporal@v1.5.1
#      (pure Go, CGO_ENABLED=0; if the installed Go cannot build that tag, retried with
#      GOTOOLCHAIN=go1.25.0, which makes the go command fetch that toolchain through the module proxy)
#   5. download of the official release archive for this OS/arch into <repo>/.tools/bin
#
# Environment: TEMPORAL_CLI_PATH, TEMPORAL_CLI_VERSION (Go module tag, default v1.5.1),
# TEMPORAL_CLI_GO_TOOLCHAIN (default go1.25.0), TEMPORAL_CLI_DOWNLOAD_URL (overrides the release URL).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools_bin="$repo_root/.tools/bin"
version="${TEMPORAL_CLI_VERSION:-v1.5.1}"
fallback_toolchain="${TEMPORAL_CLI_GO_TOOLCHAIN:-go1.25.0}"
module="github.com/temporalio/cli/cmd/temporal"

say() { echo "[ensure-temporal-cli] $*" >&2; }
die() { say "ERROR: $*"; exit 1; }

# A binary counts as usable if it runs `--version`.
usable() { [ -f "$1" ] && [ -x "$1" ] && "$1" --version >/dev/null 2>&1; }

found() {
  say "using $1 ($("$1" --version 2>/dev/null | head -n1))"
  echo "$1"
  exit 0
}

# 1. explicit path
if [ -n "${TEMPORAL_CLI_PATH:-}" ]; then
  [ -e "$TEMPORAL_CLI_PATH" ] || die "TEMPORAL_CLI_PATH=$TEMPORAL_CLI_PATH does not exist"
  [ -f "$TEMPORAL_CLI_PATH" ] && [ -x "$TEMPORAL_CLI_PATH" ] ||
    die "TEMPORAL_CLI_PATH=$TEMPORAL_CLI_PATH is not an executable file"
  usable "$TEMPORAL_CLI_PATH" || die "TEMPORAL_CLI_PATH=$TEMPORAL_CLI_PATH does not run ('$TEMPORAL_CLI_PATH --version' failed)"
  found "$TEMPORAL_CLI_PATH"
fi

# 2. on PATH
if on_path="$(command -v temporal 2>/dev/null)" && [ -n "$on_path" ]; then
  if usable "$on_path"; then found "$on_path"; fi
  say "ignoring $on_path on PATH: '$on_path --version' failed"
fi

# 3. previously installed into the repo
local_bin="$tools_bin/temporal"
if [ -e "$local_bin" ]; then
  if usable "$local_bin"; then found "$local_bin"; fi
  say "ignoring broken $local_bin; installing it again"
  rm -f "$local_bin"
fi

mkdir -p "$tools_bin"

# 4. build from the Go module
if command -v go >/dev/null 2>&1; then
  go_log="$(mktemp)"
  trap 'rm -f "$go_log"' EXIT
  go_install() {
    # stdout of go install is empty, but keep our stdout clean whatever happens
    env GOBIN="$tools_bin" CGO_ENABLED=0 "$@" go install "$module@$version" 2>&1 | tee "$go_log" >&2
    return "${PIPESTATUS[0]}"
  }
  say "building the Temporal CLI $version from source with $(go version) — this takes several minutes the first time"
  if go_install; then
    usable "$local_bin" && found "$local_bin"
    say "go install succeeded but $local_bin does not run"
  elif grep -qiE 'dial tcp|no such host|connection refused|i/o timeout|TLS handshake|proxyconnect' "$go_log"; then
    say "go install failed: the module proxy is not reachable (see above)"
  else
    say "go install with $(go env GOVERSION) failed; the installed Go may be too old or too new for $version"
    say "retrying with GOTOOLCHAIN=$fallback_toolchain (the go command fetches that toolchain via the module proxy)"
    if go_install GOTOOLCHAIN="$fallback_toolchain"; then
      usable "$local_bin" && found "$local_bin"
      say "go install succeeded but $local_bin does not run"
    else
      say "go install with GOTOOLCHAIN=$fallback_toolchain failed too"
    fi
  fi
  say "falling back to downloading the official release"
else
  say "no Go toolchain found; downloading the official release"
fi

# 5. download the official release
case "$(uname -s)" in
  Linux) platform=linux ;;
  Darwin) platform=darwin ;;
  *) die "unsupported OS $(uname -s): install the Temporal CLI yourself and set TEMPORAL_CLI_PATH" ;;
esac
case "$(uname -m)" in
  x86_64 | amd64) arch=amd64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) die "unsupported CPU $(uname -m): install the Temporal CLI yourself and set TEMPORAL_CLI_PATH" ;;
esac
url="${TEMPORAL_CLI_DOWNLOAD_URL:-https://temporal.download/cli/archive/latest?platform=$platform&arch=$arch}"

tmp_dir="$(mktemp -d)"
trap 'rm -rf "$tmp_dir" ${go_log:+"$go_log"}' EXIT
archive="$tmp_dir/temporal.tar.gz"
say "downloading $url"
if command -v curl >/dev/null 2>&1; then
  curl -fsSL --retry 3 --connect-timeout 15 -o "$archive" "$url" >&2 || die "download failed: $url"
elif command -v wget >/dev/null 2>&1; then
  wget -q -O "$archive" "$url" >&2 || die "download failed: $url"
else
  die "neither curl nor wget is available to download $url"
fi
tar -xzf "$archive" -C "$tmp_dir" >&2 || die "$url is not a .tar.gz archive"
extracted="$(find "$tmp_dir" -type f -name temporal | head -n1)"
[ -n "$extracted" ] || die "no 'temporal' binary inside the archive from $url"
install -m 0755 "$extracted" "$local_bin"
usable "$local_bin" || die "the downloaded $local_bin does not run on this machine"
found "$local_bin"
