#pragma once
/// Parsing of scalar field values, shared by schema validation and StepSpec.

#include <optional>
#include <string>
#include <vector>

#include "aiprov/value.hpp"

namespace aiprov::recipe {

/// true/false/yes/no (any case); nullopt for anything else.
std::optional<bool> parse_bool(const std::string& text);
/// A decimal integer with an optional sign; nullopt for anything else or on overflow.
std::optional<long> parse_int(const std::string& text);
/// An octal mode of 3 or 4 octal digits ("644", "0644", "2770"); nullopt for anything else.
std::optional<unsigned> parse_mode(const std::string& text);

/// "field 'KEY' of step 'ID' expects WHAT, found FOUND": FOUND is the kind of `found` ("a list"),
/// or its text in quotes when `show_text` and it is a scalar ("found 'maybe'").
std::string expects_message(const std::string& step_id, const std::string& key, const char* what,
                            const Value& found, bool show_text);
/// The same for another kind of entry: "field 'KEY' of NOUN 'ID' expects ..." (noun "probe").
std::string expects_message(const char* noun, const std::string& id, const std::string& key, const char* what,
                            const Value& found, bool show_text);

/// Levenshtein distance between two names.
std::size_t edit_distance(const std::string& a, const std::string& b);
/// The candidate closest to `name` when it is close enough to be a likely typo, else "".
std::string closest_name(const std::string& name, const std::vector<std::string>& candidates);
/// " (did you mean 'x'?)" for the closest candidate, or "".
std::string did_you_mean(const std::string& name, const std::vector<std::string>& candidates);

}  // namespace aiprov::recipe
