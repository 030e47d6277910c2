// SPDX-License-Identifier: Apache-2.0
// A deliberately small reader: S3 responses are flat, machine-generated XML, so elements are
// found by tag name; text is entity-decoded. No DTDs, no external entities.
#include "core/store/s3_xml.hpp"

#include <charconv>

namespace pgopipe::store {
namespace {

// Calls fn(text) for each <tag>text</tag> inside `xml` (self-closing <tag/> gives "").
template <typename Fn>
void for_each_element(std::string_view xml, std::string_view tag, Fn&& fn) {
  std::string open = "<" + std::string(tag);
  std::string close = "</" + std::string(tag) + ">";
  size_t pos = 0;
  while ((pos = xml.find(open, pos)) != std::string_view::npos) {
    size_t after = pos + open.size();
    if (after >= xml.size()) return;
    char c = xml[after];
    if (c != '>' && c != ' ' && c != '/') { pos = after; continue; }  // a longer tag name
    size_t gt = xml.find('>', after);
    if (gt == std::string_view::npos) return;
    if (xml[gt - 1] == '/') { fn(std::string_view{}); pos = gt + 1; continue; }
    size_t end = xml.find(close, gt + 1);
    if (end == std::string_view::npos) return;
    fn(xml.substr(gt + 1, end - gt - 1));
    pos = end + close.size();
  }
}

// Element text with entities decoded and CDATA sections taken literally.
std::string element_text(std::string_view text) {
  std::string out;
  while (!text.empty()) {
    size_t cdata = text.find("<![CDATA[");
    out += xml_unescape(text.substr(0, cdata));
    if (cdata == std::string_view::npos) break;
    size_t end = text.find("]]>", cdata + 9);
    out += text.substr(cdata + 9, end == std::string_view::npos ? end : end - cdata - 9);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 3);
  }
  return out;
}

std::string first_element(std::string_view xml, std::string_view tag) {
  std::string out;
  bool seen = false;
  for_each_element(xml, tag, [&](std::string_view text) {
    if (!seen) out = element_text(text);
    seen = true;
  });
  return out;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace

std::string xml_unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') { out += text[i]; continue; }
    size_t semi = text.find(';', i);
    if (semi == std::string_view::npos || semi - i > 10) { out += text[i]; continue; }
    std::string_view ent = text.substr(i + 1, semi - i - 1);
    if (ent == "amp") out += '&';
    else if (ent == "lt") out += '<';
    else if (ent == "gt") out += '>';
    else if (ent == "quot") out += '"';
    else if (ent == "apos") out += '\'';
    else if (ent.size() > 1 && ent[0] == '#') {
      uint32_t cp = 0;
      bool hex = ent[1] == 'x' || ent[1] == 'X';
      std::string_view digits = ent.substr(hex ? 2 : 1);
      auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), cp, hex ? 16 : 10);
      if (ec != std::errc{} || p != digits.data() + digits.size() || cp > 0x10FFFF) {
        out += text[i];
        continue;
      }
      append_utf8(out, cp);
    } else {
      out += text[i];
      continue;
    }
    i = semi;
  }
  return out;
}

Result<ListPage> parse_list_objects_v2(std::string_view xml) {
  if (xml.find("<ListBucketResult") == std::string_view::npos) {
    return make_error(ErrorCode::Store, "the server's ListObjectsV2 response is not a "
                                        "ListBucketResult document");
  }
  ListPage page;
  for_each_element(xml, "Contents", [&](std::string_view contents) {
    page.keys.push_back(first_element(contents, "Key"));
  });
  page.truncated = first_element(xml, "IsTruncated") == "true";
  page.next_continuation_token = first_element(xml, "NextContinuationToken");
  if (page.truncated && page.next_continuation_token.empty()) {
    return make_error(ErrorCode::Store,
                      "the server's ListObjectsV2 response is truncated but has no "
                      "NextContinuationToken");
  }
  return page;
}

S3ErrorBody parse_s3_error(std::string_view xml) {
  if (xml.find("<Error") == std::string_view::npos) return {};
  return {first_element(xml, "Code"), first_element(xml, "Message")};
}

}  // namespace pgopipe::store
