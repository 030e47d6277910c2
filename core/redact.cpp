// SPDX-License-Identifier: Apache-2.0
#include "core/redact.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace pgopipe {
namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

bool secret_name(std::string_view name) {
  static constexpr std::array<std::string_view, 10> kWords = {
      "TOKEN",  "SECRET",  "PASSWORD",    "PASSWD",     "CREDENTIAL",
      "API_KEY", "APIKEY", "API-KEY", "PRIVATE_KEY", "ACCESS_KEY"};
  std::string u = upper(name);
  return std::any_of(kWords.begin(), kWords.end(),
                     [&](std::string_view w) { return u.find(w) != std::string::npos; });
}

std::string redact_url(std::string_view url) {
  std::string out;
  size_t pos = 0;
  while (true) {
    size_t scheme = url.find("://", pos);
    if (scheme == std::string_view::npos) break;
    size_t start = scheme + 3;
    size_t end = url.find_first_of("/?# \t'\"", start);
    if (end == std::string_view::npos) end = url.size();
    std::string_view authority = url.substr(start, end - start);
    size_t at = authority.rfind('@');
    size_t colon = at == std::string_view::npos ? at : authority.substr(0, at).find(':');
    out.append(url.substr(pos, start - pos));
    if (colon != std::string_view::npos) {
      out.append(authority.substr(0, colon + 1)).append(kRedacted).append(authority.substr(at));
    } else {
      out.append(authority);
    }
    pos = end;
  }
  out.append(url.substr(pos));
  return out;
}

std::string redact_arg(std::string_view arg) {
  // Every NAME= inside the argument counts ("--label=DB_PASSWORD=x", "-DKEY:STRING=x").
  size_t name_start = 0;
  for (size_t eq = arg.find('='); eq != std::string_view::npos; eq = arg.find('=', eq + 1)) {
    std::string_view name = arg.substr(name_start, eq - name_start);
    if (auto typed = name.find(':'); typed != std::string_view::npos) name = name.substr(0, typed);
    if (secret_name(name)) return std::string(arg.substr(0, eq + 1)) + std::string(kRedacted);
    name_start = eq + 1;
  }
  return redact_url(arg);
}

std::vector<std::string> redact_argv(const std::vector<std::string>& argv) {
  std::vector<std::string> out;
  out.reserve(argv.size());
  bool next_is_secret = false;
  for (const auto& arg : argv) {
    if (next_is_secret) {
      out.emplace_back(kRedacted);
      next_is_secret = false;
      continue;
    }
    next_is_secret = arg.starts_with("--") && arg.find('=') == std::string::npos &&
                     secret_name(arg.substr(2));
    out.push_back(redact_arg(arg));
  }
  return out;
}

std::string redact_text(std::string_view text) {
  // Word by word (split at blanks and quotes), each as one argument.
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t end = text.find_first_of(" \t\n'\"", i);
    if (end == std::string_view::npos) end = text.size();
    out += redact_arg(text.substr(i, end - i));
    if (end < text.size()) out += text[end];
    i = end + 1;
  }
  return out;
}

std::map<std::string, std::string> scrubbed_environment(
    const std::map<std::string, std::string>& env,
    const std::vector<std::string>& keep) {
  static constexpr std::array<std::string_view, 4> kCloud = {
      "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"};
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : env) {
    bool kept = std::find(keep.begin(), keep.end(), name) != keep.end();
    bool cloud = std::find(kCloud.begin(), kCloud.end(), name) != kCloud.end();
    if (kept || (!cloud && !secret_name(name))) out.emplace(name, value);
  }
  return out;
}

}  // namespace pgopipe
