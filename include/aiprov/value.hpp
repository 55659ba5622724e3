#pragma once
/// A recipe value: a YAML scalar, list or map that remembers where it was written, so that every
/// error about it can name file:line:col after variables were interpolated.

#include <string>
#include <utility>
#include <vector>

#include "aiprov/error.hpp"

namespace aiprov {

struct Value {
  enum class Kind { Null, Scalar, List, Map };
  Kind kind = Kind::Null;
  std::string scalar;                              ///< Kind::Scalar
  std::vector<Value> list;                         ///< Kind::List
  std::vector<std::pair<std::string, Value>> map;  ///< Kind::Map, in file order
  SourceLoc loc;

  bool is_null() const { return kind == Kind::Null; }
  bool is_scalar() const { return kind == Kind::Scalar; }
  bool is_list() const { return kind == Kind::List; }
  bool is_map() const { return kind == Kind::Map; }
  /// The member `key` of a map, or nullptr.
  const Value* get(const std::string& key) const {
    for (const auto& [k, v] : map)
      if (k == key) return &v;
    return nullptr;
  }
  /// "a string", "a list", "a map", "null": for "expected X, found Y" messages.
  const char* kind_name() const {
    switch (kind) {
      case Kind::Null: return "null";
      case Kind::Scalar: return "a string";
      case Kind::List: return "a list";
      case Kind::Map: return "a map";
    }
    return "?";
  }
  static Value make_scalar(std::string s, SourceLoc loc = {}) {
    Value v;
    v.kind = Kind::Scalar;
    v.scalar = std::move(s);
    v.loc = std::move(loc);
    return v;
  }
};

}  // namespace aiprov
