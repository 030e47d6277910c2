#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Usage: cli_completion_test.sh PGOPIPE BUILD_DIR WORK_DIR. Prints "N passed, N failed".
# Shell completion (bash run for real; zsh and fish when installed) and the man page come from
# the parser itself, and `cmake --install` installs them.
set -uo pipefail
pgopipe=$1 build=$2 work=$3
source "$(cd "$(dirname "$0")" && pwd)/../../support/cli_checks.sh"
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1

"$pgopipe" completion bash > pgopipe.bash
complete_words() {  # complete_words WORD...: what bash completes for the last word
  bash -c 'source ./pgopipe.bash; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _pgopipe; printf "%s\n" "${COMPREPLY[@]}"' _ "$@"
}
export -f complete_words
check "bash: pu completes to push and pull" bash -c "[ \"\$(complete_words pgopipe pu | sort | tr '\n' ' ')\" = 'pull push ' ]"
check "bash: ls --si completes to --since" bash -c "[ \"\$(complete_words pgopipe ls --si)\" = '--since' ]"
check "bash: build c completes to cmake" bash -c "complete_words pgopipe build c | grep -qx cmake"
check "bash: a global flag before the command" bash -c "complete_words pgopipe --store s ls --ap | grep -qx -- --app"
check "bash: global flags after the command" bash -c "complete_words pgopipe merge --sto | grep -qx -- --store"
check "bash: a subcommand's flags" bash -c "complete_words pgopipe build cmake --pg | grep -qx -- --pgo"
# Every flag the help of a command shows is completed for it (both come from the parser).
for c in push ls pull gc merge show convert rebuild flamegraph "collect http" "build cmake"; do
  # shellcheck disable=SC2086
  flags=$("$pgopipe" help $c | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u)
  # shellcheck disable=SC2086
  offered=$(complete_words pgopipe $c -- | sort -u)
  missing=$(comm -23 <(echo "$flags") <(echo "$offered") | grep -v -- '--help' | tr '\n' ' ')
  check "bash: every flag of '$c' is completed (missing: $missing)" test -z "$missing"
done

"$pgopipe" completion zsh > _pgopipe
"$pgopipe" completion fish > pgopipe.fish
check "zsh: a compdef function" grep -q "^#compdef pgopipe" _pgopipe
check "fish: commands with their purpose" grep -q "__fish_use_subcommand' -a push -d 'Upload profile files" pgopipe.fish
check "fish: a subcommand's flags under it" grep -q "__fish_seen_subcommand_from build; and __fish_seen_subcommand_from cmake' -l pgo" pgopipe.fish
if command -v zsh > /dev/null; then check "zsh: the script parses" zsh -n _pgopipe; else echo "SKIP: zsh is not installed; its script was only inspected"; fi
if command -v fish > /dev/null; then check "fish: the script parses" fish -n pgopipe.fish; else echo "SKIP: fish is not installed; its script was only inspected"; fi
fails_with "completion of an unknown shell" 2 "'tcsh' is not one of bash, zsh or fish" "$pgopipe" completion tcsh

"$pgopipe" man > pgopipe.1
MANWIDTH=100 man -l pgopipe.1 > man.txt 2> man.err
check "man renders the page without warnings" test ! -s man.err -a -s man.txt
for c in "pgopipe push" "pgopipe ls" "pgopipe merge" "pgopipe build cmake" "pgopipe collect http" "GLOBAL OPTIONS" "EXIT STATUS"; do
  check "man has a section for $c" grep -q "^${c^^}" man.txt
done
check "man lists merge's --failure-mode with its choices" grep -q -- "--failure-mode any|all|warn" man.txt
check "man carries the examples" grep -q "pgopipe ls --app checkout --since 24h" man.txt

cmake --install "$build" --component Unspecified --prefix "$work/prefix" > install.log 2>&1
for f in bin/pgopipe share/man/man1/pgopipe.1 share/bash-completion/completions/pgopipe \
         share/zsh/vendor-completions/_pgopipe share/fish/vendor_completions.d/pgopipe.fish; do
  check "cmake --install installs $f" test -s "prefix/$f"
done
check "the installed man page is the binary's" cmp prefix/share/man/man1/pgopipe.1 pgopipe.1
check "the installed bash completion is the binary's" cmp prefix/share/bash-completion/completions/pgopipe pgopipe.bash

cli_checks_summary
