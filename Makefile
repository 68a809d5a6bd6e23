# Daemon Portal: `make run` serves the portal, `make test` runs every test.
# Both install what is missing first (scripts/setup.sh).

SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)
CARGO_LEPTOS := cargo leptos

.PHONY: run test setup build release check fmt lint test-rust test-crash test-e2e screenshots bench clean-data help

help:
	@echo "make run    - install what is missing, build, serve on http://127.0.0.1:3000"
	@echo "make test   - install what is missing, run fmt, clippy, Rust tests (SQLite + PostgreSQL), Playwright"
	@echo "make screenshots - retake the README's pictures (docs/*.png) from the embedded default"

run: build
	@echo "Daemon Portal on http://127.0.0.1:3000 (SQLite in ./data, embedded ECS emulator)"
	LEPTOS_SITE_ROOT=target/site exec ./target/debug/server

# finish-site.mjs strips the wasm's custom sections and writes the .gz files the server sends.
build:
	@scripts/setup.sh run
	$(CARGO_LEPTOS) build --split
	node scripts/finish-site.mjs target/site/pkg

# erase_components: components become AnyView instead of nested generic types, which cuts the
# hydrate bundle by a third (bench/portal/RESULTS.md). Server and wasm must agree on it (the
# erased view! adds hydration markers), so it is set for the whole release build.
RELEASE_RUSTFLAGS := --cfg erase_components

release:
	@scripts/setup.sh release
	PATH="$(CURDIR)/.tools/node_modules/.bin:$$PATH" RUSTFLAGS="$(RELEASE_RUSTFLAGS)" $(CARGO_LEPTOS) build --release --split
	node scripts/finish-site.mjs target/site/pkg

test:
	@scripts/setup.sh test
	$(MAKE) fmt lint test-rust test-crash test-e2e

fmt:
	cargo fmt --all -- --check

lint:
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy -p app --lib --no-default-features --features hydrate --target wasm32-unknown-unknown -- -D warnings
	@# The services layer's IO crates are optional dependencies of `app` that only `ssr` enables.
	@if cargo tree -p app --no-default-features --features hydrate --target wasm32-unknown-unknown -e normal --prefix none \
		| grep -E '^(sqlx|aws-sdk-ecs|aws-config|tokio|reqwest|argon2|plotters|metrics|hmac) '; then \
		echo "server-only crates in the wasm build (above)"; exit 1; fi

test-rust:
	REQUIRE_POSTGRES=1 scripts/with-postgres.sh cargo test --workspace

# A short crash and fault run (issue 11): kill -9 of the portal in aws mode against a standalone
# ecs-sim under injected faults; bench/crash/run.sh 24 is the full one.
test-crash:
	bench/crash/run.sh 6

test-e2e: build
	cd end2end && npx playwright test

# The README's pictures (docs/*.png), taken from the embedded default with data in it.
screenshots: build
	@scripts/setup.sh test
	end2end/scripts/screenshots.sh

clean-data:
	rm -rf data
