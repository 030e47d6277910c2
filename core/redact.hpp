// SPDX-License-Identifier: Apache-2.0
// Keeps secrets out of logs, error messages and reports: command lines (build args such as
// --build-arg NPM_TOKEN=..., -DAPI_KEY=..., --password X), URLs with user:password, and the
// environment handed to child processes.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace pgopipe {

// The placeholder that replaces a secret.
inline constexpr std::string_view kRedacted = "***";

// True for names that look like they hold a secret (TOKEN, SECRET, PASSWORD, PASSWD,
// CREDENTIAL, API_KEY/APIKEY, PRIVATE_KEY, ACCESS_KEY), case-insensitively.
bool secret_name(std::string_view name);

// "scheme://user:password@host/..." -> "scheme://user:***@host/..."; other text unchanged.
std::string redact_url(std::string_view url);

// One argument: NAME=value with a secret-looking NAME (also -DNAME=value, -DNAME:TYPE=value,
// --name=value) gets its value redacted, and URLs their password.
std::string redact_arg(std::string_view arg);

// Every argument through redact_arg; an argument after a secret-looking flag ("--password",
// "--token", "-p" is not one) is redacted whole.
std::vector<std::string> redact_argv(const std::vector<std::string>& argv);

// Free text (an error message quoting a command line): NAME=value pairs and URL passwords.
std::string redact_text(std::string_view text);

// The environment for child processes: `env` without variables that hold cloud credentials
// or other secrets (AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_ACCESS_KEY_ID, and any
// secret_name()), except those named in `keep`.
std::map<std::string, std::string> scrubbed_environment(
    const std::map<std::string, std::string>& env,
    const std::vector<std::string>& keep = {});

}  // namespace pgopipe
