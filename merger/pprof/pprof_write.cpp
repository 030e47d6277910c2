// SPDX-License-Identifier: Apache-2.0
#include "merger/pprof/pprof_tables.hpp"

namespace pgopipe::pprof_merge {

pprof::Profile to_profile(const Tables& t) {
  pprof::Profile p;
  const Header& h = t.header;
  const size_t n = t.value_count();
  for (const auto& st : h.sample_types) {
    auto* vt = p.add_sample_type();
    vt->set_type(st.type);
    vt->set_unit(st.unit);
  }
  p.mutable_sample()->Reserve(static_cast<int>(t.samples.size()));
  for (size_t i = 0; i < t.samples.size(); ++i) {
    const SampleRec& s = t.samples[i];
    auto* out = p.add_sample();
    out->mutable_location_id()->Reserve(static_cast<int>(s.stack_count));
    for (uint32_t k = 0; k < s.stack_count; ++k) out->add_location_id(uint64_t{t.stack[s.stack_begin + k]} + 1);
    for (size_t k = 0; k < n; ++k) out->add_value(t.values[i * n + k]);
    for (uint32_t k = 0; k < s.label_count; ++k) {
      const LabelRec& l = t.labels[s.label_begin + k];
      auto* label = out->add_label();
      label->set_key(l.key);
      label->set_str(l.str);
      label->set_num(l.num);
      label->set_num_unit(l.unit);
    }
  }
  for (size_t i = 0; i < t.mappings.size(); ++i) {
    const MappingRec& m = t.mappings[i];
    auto* out = p.add_mapping();
    out->set_id(i + 1);
    out->set_memory_start(m.start);
    out->set_memory_limit(m.limit);
    out->set_file_offset(m.offset);
    out->set_filename(m.filename);
    out->set_build_id(m.build_id);
    out->set_has_functions(m.flags & 1);
    out->set_has_filenames(m.flags & 2);
    out->set_has_line_numbers(m.flags & 4);
    out->set_has_inline_frames(m.flags & 8);
  }
  p.mutable_location()->Reserve(static_cast<int>(t.locations.size()));
  for (size_t i = 0; i < t.locations.size(); ++i) {
    const LocationRec& l = t.locations[i];
    auto* out = p.add_location();
    out->set_id(i + 1);
    out->set_mapping_id(l.mapping);
    out->set_address(l.address);
    out->set_is_folded(l.folded);
    for (uint32_t k = 0; k < l.line_count; ++k) {
      const LineRec& line = t.lines[l.line_begin + k];
      auto* ol = out->add_line();
      ol->set_function_id(line.function);
      ol->set_line(line.line);
      ol->set_column(line.column);
    }
  }
  p.mutable_function()->Reserve(static_cast<int>(t.functions.size()));
  for (size_t i = 0; i < t.functions.size(); ++i) {
    const FunctionRec& f = t.functions[i];
    auto* out = p.add_function();
    out->set_id(i + 1);
    out->set_name(f.name);
    out->set_system_name(f.system_name);
    out->set_filename(f.filename);
    out->set_start_line(f.start_line);
  }
  p.mutable_string_table()->Reserve(static_cast<int>(t.strings.size()));
  for (std::string_view s : t.strings) p.add_string_table(std::string(s));
  p.set_drop_frames(h.drop_frames);
  p.set_keep_frames(h.keep_frames);
  p.set_time_nanos(h.time_nanos);
  p.set_duration_nanos(h.duration_nanos);
  p.mutable_period_type()->set_type(h.period_type.type);
  p.mutable_period_type()->set_unit(h.period_type.unit);
  p.set_period(h.period);
  for (uint32_t c : h.comments) p.add_comment(c);
  p.set_default_sample_type(h.default_sample_type);
  p.set_doc_url(h.doc_url);
  return p;
}

}  // namespace pgopipe::pprof_merge
