// SPDX-License-Identifier: Apache-2.0
// How pgopipe talks about its own command line: help text (purpose, options, examples, the
// global options), `pgopipe help [COMMAND [SUB]]`, choice options that read `a|b|c`, and
// parse errors that name an unknown command or flag first with a "did you mean" suggestion.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "cli/cli.hpp"

namespace pgopipe::cli {

// Registers `pgopipe help [COMMAND [SUB]]`, which prints that command's help on stdout.
void register_help(CLI::App& app, Cli& cli);

// Registers `pgopipe completion bash|zsh|fish` and `pgopipe man`, generated from `app` itself.
void register_completion(CLI::App& app, Cli& cli);

// Gives every command its examples and the reference to the global options (call last).
void finish_help(CLI::App& app);

// Restricts an option to `choices`, shown as `a|b|c` in help and named plainly in errors.
CLI::Option* choices(CLI::Option* option, const std::vector<std::string>& names);

// Restricts a number option to [low, high], shown as `N` with the bounds in its description's
// place and named plainly in errors.
CLI::Option* in_range(CLI::Option* option, long long low, long long high);

// Prints a parse error (unknown command or flag named first, with a suggestion) or the help it
// asked for; returns the process exit code (0 for help/version, 2 otherwise).
int report_parse_error(CLI::App& app, const CLI::ParseError& error);

// The closest of `candidates` to `word` by edit distance, or "" when none is close.
std::string closest(const std::string& word, const std::vector<std::string>& candidates);

// The named commands under `app` (subcommands, in registration order).
std::vector<const CLI::App*> commands_of(const CLI::App& app);
std::vector<CLI::App*> commands_of(CLI::App& app);

// The usage examples of a command path ("ls", "build cmake"); empty when it has none.
std::vector<std::string> examples_of(const std::string& path);

}  // namespace pgopipe::cli
