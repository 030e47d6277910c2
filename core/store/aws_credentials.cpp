// SPDX-License-Identifier: Apache-2.0
#include "core/store/aws_credentials.hpp"

#include <filesystem>

#include "core/fs.hpp"

namespace pgopipe::store {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::string env_or(const std::map<std::string, std::string>& env, const char* name) {
  auto it = env.find(name);
  return it == env.end() ? std::string() : it->second;
}

}  // namespace

Result<AwsCredentials> parse_credentials_file(std::string_view text, std::string_view profile,
                                              std::string_view where) {
  AwsCredentials creds;
  bool in_profile = false, found = false;
  size_t line_no = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_no;
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[') {
      if (line.back() != ']') {
        return make_error(ErrorCode::Config, "{}:{}: malformed section header", where, line_no);
      }
      std::string_view name = trim(line.substr(1, line.size() - 2));
      if (name.starts_with("profile ")) name = trim(name.substr(8));
      in_profile = name == profile;
      found = found || in_profile;
      continue;
    }
    if (!in_profile) continue;
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      return make_error(ErrorCode::Config, "{}:{}: expected 'key = value'", where, line_no);
    }
    std::string_view key = trim(line.substr(0, eq));
    std::string value(trim(line.substr(eq + 1)));
    if (key == "aws_access_key_id") creds.access_key_id = value;
    else if (key == "aws_secret_access_key") creds.secret_access_key = value;
    else if (key == "aws_session_token") creds.session_token = value;
  }
  if (!found) {
    return make_error(ErrorCode::Config, "{}: no profile [{}]", where, profile);
  }
  if (creds.access_key_id.empty() || creds.secret_access_key.empty()) {
    return make_error(ErrorCode::Config,
                      "{}: profile [{}] lacks aws_access_key_id or aws_secret_access_key", where,
                      profile);
  }
  creds.source = fmt::format("{} [{}]", where, profile);
  return creds;
}

Result<AwsCredentials> load_aws_credentials(const std::map<std::string, std::string>& env,
                                            std::string_view profile_option) {
  std::string key_id = env_or(env, "AWS_ACCESS_KEY_ID");
  std::string secret = env_or(env, "AWS_SECRET_ACCESS_KEY");
  if (!key_id.empty() || !secret.empty()) {
    if (key_id.empty() || secret.empty()) {
      return make_error(ErrorCode::Config,
                        "environment has only one of AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
    }
    return AwsCredentials{key_id, secret, env_or(env, "AWS_SESSION_TOKEN"), "environment"};
  }
  std::string profile(profile_option);
  if (profile.empty()) profile = env_or(env, "AWS_PROFILE");
  if (profile.empty()) profile = "default";
  std::filesystem::path file = env_or(env, "AWS_SHARED_CREDENTIALS_FILE");
  if (file.empty()) {
    std::string home = env_or(env, "HOME");
    if (home.empty()) {
      return make_error(ErrorCode::Config,
                        "no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or "
                        "AWS_SHARED_CREDENTIALS_FILE");
    }
    file = std::filesystem::path(home) / ".aws" / "credentials";
  }
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) {
    return make_error(ErrorCode::Config,
                      "no S3 credentials: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are not set and "
                      "{} does not exist",
                      file.string());
  }
  PGO_TRY_ASSIGN(std::string text, read_file(file, 1 << 20));
  return parse_credentials_file(text, profile, file.string());
}

}  // namespace pgopipe::store
