// SPDX-License-Identifier: Apache-2.0
#include "report/flamegraph.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "core/formats/format.hpp"
#include "core/formats/pprof/pprof.hpp"
#include "core/fs.hpp"
#include "merger/llvm/profile_stacks.hpp"
#include "report/text.hpp"

namespace pgopipe::report {
namespace {

constexpr double kPadX = 10;
constexpr double kHeaderHeight = 66;
constexpr double kPadBottom = 10;
constexpr double kFrameHeight = 16;
constexpr double kFontSize = 12;
constexpr double kCharWidth = kFontSize * 0.59;  // flamegraph.pl's estimate for Verdana

// flamegraph.pl's "hot" palette, driven by a hash of the name instead of rand().
std::string frame_colour(std::string_view name) {
  uint64_t h = 1469598103934665603ULL;  // FNV-1a
  for (unsigned char c : name) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  auto part = [h](int shift) { return static_cast<double>((h >> shift) & 0xffff) / 65535.0; };
  int r = 205 + static_cast<int>(50 * part(32));
  int g = static_cast<int>(230 * part(0));
  int b = static_cast<int>(55 * part(16));
  return fmt::format("rgb({},{},{})", r, g, b);
}

// The longest prefix of `name` that fits `px`, with ".." when shortened; "" when nothing fits.
std::string fit_label(std::string_view name, double px) {
  auto chars = static_cast<size_t>(std::max(0.0, std::floor((px - 6) / kCharWidth)));
  if (chars < 3) return {};
  if (name.size() <= chars) return std::string(name);
  size_t cut = chars - 2;
  while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;  // UTF-8 boundary
  return std::string(name.substr(0, cut)) + "..";
}

struct Painter {
  const FlameGraph& graph;
  double scale = 0;      // px per unit of value
  double min_px = 0;
  double bottom = 0;     // y of the root frame's top edge
  std::string out;

  // Draws one frame; false when it is too narrow (then nothing above it is drawn either).
  bool frame(const FlameGraph::Node& node, double x, size_t depth) {
    double w = static_cast<double>(node.total) * scale;
    if (w < min_px) return false;
    std::string_view name = depth == 0 ? std::string_view("all") : graph.name(node.name);
    double y = bottom - static_cast<double>(depth) * kFrameHeight;
    double share = graph.total() == 0 ? 0 : 100.0 * static_cast<double>(node.total) /
                                                static_cast<double>(graph.total());
    std::string shown = display_name(name);
    std::string tooltip = shown == name ? shown : shown + " = " + std::string(name);
    out += fmt::format(
        "<g><title>{} ({} {}, {:.2f}%)</title><rect x=\"{:.2f}\" y=\"{:.1f}\" width=\"{:.2f}\" "
        "height=\"{:.1f}\" fill=\"{}\" rx=\"2\" ry=\"2\"/>",
        escape_markup(tooltip), group_digits(node.total), escape_markup(graph.unit), share, x, y, w,
        kFrameHeight - 1, frame_colour(name));
    std::string label = fit_label(shown, w);
    if (!label.empty()) {
      out += fmt::format("<text x=\"{:.2f}\" y=\"{:.1f}\">{}</text>", x + 3, y + 11.5,
                         escape_markup(label));
    }
    out += "</g>\n";
    return true;
  }

  // Draws the tree with an explicit stack (depth-first, children left to right by name, as
  // flamegraph.pl sorts its folded stacks), so deep stacks cannot exhaust the call stack.
  void tree(double x0) {
    struct Item {
      uint32_t node;
      double x;
      size_t depth;
    };
    std::vector<Item> todo{{0, x0, 0}};
    std::vector<uint32_t> order;
    while (!todo.empty()) {
      Item it = todo.back();
      todo.pop_back();
      const auto& node = graph.node(it.node);
      if (!frame(node, it.x, it.depth)) continue;
      order = node.children;
      std::sort(order.begin(), order.end(), [this](uint32_t a, uint32_t b) {
        return graph.name(graph.node(a).name) < graph.name(graph.node(b).name);
      });
      double child_x = it.x;
      size_t first = todo.size();
      for (uint32_t index : order) {
        todo.push_back({index, child_x, it.depth + 1});
        child_x += static_cast<double>(graph.node(index).total) * scale;
      }
      std::reverse(todo.begin() + static_cast<std::ptrdiff_t>(first), todo.end());  // leftmost first
    }
  }
};

// "cpu (nanoseconds)", or just the type when the unit is a plain count.
std::string value_unit(std::string_view type, std::string_view unit) {
  if (unit.empty() || unit == "count" || unit == type) return std::string(type);
  return fmt::format("{} ({})", type, unit);
}

}  // namespace

FlameGraph::FlameGraph(size_t max_depth) : nodes_(1), max_depth_(std::max<size_t>(max_depth, 1)) {
  intern("all");
}

uint32_t FlameGraph::intern(std::string_view name) {
  auto it = name_ids_.find(name);
  if (it != name_ids_.end()) return it->second;
  auto id = static_cast<uint32_t>(names_.size());
  const std::string& stored = names_.emplace_back(name);
  name_ids_.emplace(stored, id);
  return id;
}

void FlameGraph::add(std::span<const uint32_t> frames, uint64_t value) {
  if (value == 0 || frames.empty()) return;
  if (frames.size() > max_depth_) {
    frames = frames.first(max_depth_);
    ++truncated_;
  }
  uint32_t at = 0;
  nodes_[0].total += value;
  for (uint32_t name_id : frames) {
    uint64_t key = (uint64_t{at} << 32) | name_id;
    auto [it, inserted] = child_of_.try_emplace(key, static_cast<uint32_t>(nodes_.size()));
    if (inserted) {
      nodes_.push_back(Node{name_id, 0, {}});
      nodes_[at].children.push_back(it->second);
    }
    at = it->second;
    nodes_[at].total += value;
  }
  depth_ = std::max(depth_, frames.size());
}

void FlameGraph::add(std::span<const std::string> frames, uint64_t value) {
  std::vector<uint32_t> ids;
  ids.reserve(frames.size());
  for (const auto& f : frames) ids.push_back(intern(f));
  add(std::span<const uint32_t>(ids), value);
}

uint64_t FlameGraph::self(const Node& n) const {
  uint64_t children_total = 0;
  for (uint32_t c : n.children) children_total += nodes_[c].total;
  return n.total >= children_total ? n.total - children_total : 0;
}

const FlameGraph::Node* FlameGraph::find(std::initializer_list<std::string_view> path) const {
  uint32_t at = 0;
  for (std::string_view frame : path) {
    auto id = name_ids_.find(frame);
    if (id == name_ids_.end()) return nullptr;
    auto child = child_of_.find((uint64_t{at} << 32) | id->second);
    if (child == child_of_.end()) return nullptr;
    at = child->second;
  }
  return &nodes_[at];
}

std::string render_flamegraph_svg(const FlameGraph& graph, const FlameOptions& options) {
  double width = std::max(200, options.width);
  double height = kHeaderHeight + static_cast<double>(graph.depth() + 1) * kFrameHeight + kPadBottom;
  Painter p{graph};
  p.scale = graph.total() == 0 ? 0 : (width - 2 * kPadX) / static_cast<double>(graph.total());
  p.min_px = options.min_frame_px.value_or(width * 0.001);
  p.bottom = height - kPadBottom - kFrameHeight;
  p.out = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{0:.0f}\" height=\"{1:.0f}\" "
      "viewBox=\"0 0 {0:.0f} {1:.0f}\" font-family=\"Verdana, DejaVu Sans, sans-serif\" "
      "font-size=\"{2:.0f}\" role=\"img\" aria-label=\"{3}\">\n"
      "<rect x=\"0\" y=\"0\" width=\"{0:.0f}\" height=\"{1:.0f}\" fill=\"#f8f8f2\"/>\n"
      "<text x=\"{4:.1f}\" y=\"24\" font-size=\"17\" text-anchor=\"middle\">{3}</text>\n"
      "<text x=\"{5:.1f}\" y=\"44\">Total: {6} {7}</text>\n",
      width, height, kFontSize, escape_markup(options.title), width / 2, kPadX,
      group_digits(graph.total()), escape_markup(graph.unit));
  std::string subtitle = graph.subtitle;
  if (graph.truncated() > 0) {
    subtitle += fmt::format("{}{} stack(s) deeper than {} frames truncated (limits.max_stack_depth)",
                            subtitle.empty() ? "" : "; ", graph.truncated(), graph.max_depth());
  }
  if (!subtitle.empty()) {
    p.out += fmt::format("<text x=\"{:.1f}\" y=\"60\" fill=\"#555555\">{}</text>\n", kPadX,
                         escape_markup(subtitle));
  }
  if (graph.total() == 0) {
    p.out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\">no samples</text>\n", kPadX, p.bottom + 11.5);
  } else {
    p.tree(kPadX);
  }
  p.out += "</svg>\n";
  return std::move(p.out);
}

Result<FlameGraph> flamegraph_from_pprof(std::string_view name, std::string_view bytes,
                                         const std::string& sample_type, const InputLimits& limits) {
  PGO_TRY_ASSIGN(pprof::Profile profile, pprof::parse(name, bytes, {.limits = limits}));
  if (profile.sample_type_size() == 0) {
    return make_error(ErrorCode::Input, "{}: pprof profile has no sample types", name);
  }
  int index = profile.sample_type_size() - 1;  // pprof's default: the last sample type
  if (!sample_type.empty()) {
    index = -1;
    std::string available;
    for (int i = 0; i < profile.sample_type_size(); ++i) {
      std::string_view type = pprof::string_at(profile, profile.sample_type(i).type());
      if (type == sample_type) index = i;
      available += fmt::format("{}{}", i == 0 ? "" : ", ", type);
    }
    if (index < 0) {
      return make_error(ErrorCode::Usage, "{}: no sample type '{}' (available: {})", name,
                        sample_type, available);
    }
  }
  const auto& vt = profile.sample_type(index);
  FlameGraph graph(limits.max_stack_depth);
  graph.unit = value_unit(pprof::string_at(profile, vt.type()), pprof::string_at(profile, vt.unit()));
  graph.subtitle = fmt::format("sample type: {}/{}", pprof::string_at(profile, vt.type()),
                               pprof::string_at(profile, vt.unit()));

  // Function id -> interned name; each location's frames, outermost (caller) first: pprof
  // lists a location's inlined frames innermost first.
  std::unordered_map<uint64_t, uint32_t> function_names;
  for (const auto& f : profile.function()) {
    std::string_view fn = pprof::string_at(profile, f.name());
    if (fn.empty()) fn = pprof::string_at(profile, f.system_name());
    function_names.emplace(f.id(), graph.intern(fn.empty() ? "?" : fn));
  }
  std::unordered_map<uint64_t, const pprof::Mapping*> mappings;
  for (const auto& m : profile.mapping()) mappings.emplace(m.id(), &m);
  std::unordered_map<uint64_t, std::vector<uint32_t>> location_frames;
  for (const auto& loc : profile.location()) {
    std::vector<uint32_t> frames;
    for (int i = loc.line_size() - 1; i >= 0; --i) {
      auto it = function_names.find(loc.line(i).function_id());
      frames.push_back(it != function_names.end() ? it->second : graph.intern("?"));
    }
    if (frames.empty()) {  // unsymbolized: the mapping's file name and the address
      auto m = mappings.find(loc.mapping_id());
      std::string file = m != mappings.end() ? std::string(pprof::string_at(profile, m->second->filename())) : "";
      file = file.substr(file.find_last_of('/') == std::string::npos ? 0 : file.find_last_of('/') + 1);
      frames.push_back(graph.intern(file.empty() ? fmt::format("0x{:x}", loc.address())
                                                 : fmt::format("{}+0x{:x}", file, loc.address())));
    }
    location_frames.emplace(loc.id(), std::move(frames));
  }
  std::vector<uint32_t> stack;
  for (const auto& sample : profile.sample()) {
    if (index >= sample.value_size() || sample.value(index) <= 0) continue;
    stack.clear();
    for (int i = sample.location_id_size() - 1; i >= 0; --i) {
      auto it = location_frames.find(sample.location_id(i));
      if (it != location_frames.end()) stack.insert(stack.end(), it->second.begin(), it->second.end());
    }
    graph.add(std::span<const uint32_t>(stack), static_cast<uint64_t>(sample.value(index)));
  }
  return graph;
}

Result<std::string> flamegraph_svg_from_file(const std::filesystem::path& profile,
                                             const FlameOptions& options) {
  std::string name = profile.string();
  PGO_TRY_ASSIGN(std::string bytes, read_file(profile));
  ProfileFormat format = detect_format(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  if (!options.sample_type.empty() && family_of(format) != ProfileFamily::Pprof) {
    return make_error(ErrorCode::Usage, "{}: a sample type ('{}') applies to pprof profiles only, "
                      "this is a {} profile", name, options.sample_type, to_string(format));
  }
  FlameGraph graph(options.limits.max_stack_depth);
  switch (family_of(format)) {
    case ProfileFamily::Pprof: {
      PGO_TRY_ASSIGN(graph, flamegraph_from_pprof(name, bytes, options.sample_type, options.limits));
      break;
    }
    case ProfileFamily::Sample: {
      PGO_TRY_ASSIGN(auto stacks, llvm_merge::read_sample_stacks(name, bytes, options.limits.max_stack_depth));
      for (const auto& s : stacks) graph.add(s.frames, s.value);
      graph.unit = "samples";
      graph.subtitle = "LLVM sample profile: body samples per function, inlined calls above their callers";
      break;
    }
    case ProfileFamily::Instr: {
      PGO_TRY_ASSIGN(auto stacks, llvm_merge::read_instr_function_totals(name, bytes));
      for (const auto& s : stacks) graph.add(s.frames, s.value);
      graph.unit = "counts";
      graph.subtitle = "flat: instrumented profiles carry no call stacks";
      break;
    }
    default:
      return make_error(ErrorCode::Input, "{}: cannot draw a flame graph from {} (pprof, LLVM sample "
                        "and LLVM instrumented profiles are supported)", name,
                        format == ProfileFormat::Unknown ? "an unrecognised file"
                                                         : fmt::format("a {} file", to_string(format)));
  }
  return render_flamegraph_svg(graph, options);
}

}  // namespace pgopipe::report
