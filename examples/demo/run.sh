#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Demo on the local store: push profiles, list the window, pull it, collect garbage.
set -euo pipefail
pgopipe=${1:?usage: run.sh PATH_TO_PGOPIPE}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export PGOPIPE_STORE="$work/store"

printf 'main:100:1\n 1: 100\n' > hot.afdo.txt
"$pgopipe" push hot.afdo.txt --app demo --collected-at 30m --label env=demo
"$pgopipe" push hot.afdo.txt --app demo --collected-at 40d
"$pgopipe" ls --app demo --since 24h
"$pgopipe" pull --app demo --since 24h -o pulled
"$pgopipe" gc --app demo --older-than 30d
echo "demo: store round trip complete ($(ls pulled | wc -l) profile pulled)"
