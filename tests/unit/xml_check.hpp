// SPDX-License-Identifier: Apache-2.0
// A small well-formedness check for the markup the report renderers produce: balanced tags,
// quoted attributes, and no bare '&' or '<' in text (entities only).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pgopipe::test {

inline bool well_formed_xml(std::string_view doc) {
  std::vector<std::string> open;
  size_t i = 0;
  auto entity_ok = [&](size_t at) {
    for (std::string_view e : {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;"}) {
      if (doc.substr(at, e.size()) == e) return true;
    }
    return false;
  };
  while (i < doc.size()) {
    char c = doc[i];
    if (c == '&') {
      if (!entity_ok(i)) return false;
      ++i;
    } else if (c == '<') {
      size_t end = i + 1;
      char quote = 0;
      for (; end < doc.size(); ++end) {  // the tag's end, outside quoted attribute values
        if (quote) {
          if (doc[end] == quote) quote = 0;
          else if (doc[end] == '<') return false;
          else if (doc[end] == '&' && !entity_ok(end)) return false;
        } else if (doc[end] == '"' || doc[end] == '\'') {
          quote = doc[end];
        } else if (doc[end] == '>') {
          break;
        }
      }
      if (end >= doc.size()) return false;
      std::string_view tag = doc.substr(i + 1, end - i - 1);
      if (tag.empty()) return false;
      bool closing = tag[0] == '/', self = tag.back() == '/';
      std::string_view body = tag.substr(closing ? 1 : 0);
      std::string name(body.substr(0, body.find_first_of(" \t\n/")));
      if (name.empty()) return false;
      if (closing) {
        if (open.empty() || open.back() != name) return false;
        open.pop_back();
      } else if (!self) {
        open.push_back(name);
      }
      i = end + 1;
    } else {
      ++i;
    }
  }
  return open.empty();
}

}  // namespace pgopipe::test
