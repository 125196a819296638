#!/usr/bin/env bash
# Rewrites the seed corpora (fuzz/corpus/<target>/) and the public fixture roots
# (fuzz/fixtures/) from kiban's generators and authorities: `kiban generate`'s municipal
# writer, generate::careplan, kiban-testkit's 要介護認定 documents, and freshly made CA, card
# and physician roots whose keys are dropped at exit. Seeds and fixtures go together: rerun
# both, never one.
set -euo pipefail
cd "$(dirname "$0")"
cargo +nightly fuzz build seed >/dev/null
./target/x86_64-unknown-linux-gnu/release/seed
du -sh corpus
