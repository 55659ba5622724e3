// compare_versions: integers as numbers, dotted versions the way dpkg orders them (epoch, upstream,
// revision; '~' before everything), other numbers as numbers, anything else as plain strings.
#include <cctype>
#include <cstdlib>
#include <string>

#include "aiprov/expr.hpp"

namespace aiprov {

namespace {

bool digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }
int sign(long v) { return v < 0 ? -1 : (v > 0 ? 1 : 0); }

bool all_digits(const std::string& s, std::size_t from = 0) {
  if (from >= s.size()) return false;
  for (std::size_t i = from; i < s.size(); ++i)
    if (!digit(s[i])) return false;
  return true;
}

bool is_integer(const std::string& s) { return all_digits(s, !s.empty() && s[0] == '-' ? 1 : 0); }

bool is_version(const std::string& s) {
  if (s.empty() || !digit(s[0])) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '+' && c != '~' &&
        c != ':' && c != '-')
      return false;
  std::size_t colon = s.find(':');
  return colon == std::string::npos || all_digits(s.substr(0, colon));
}

bool is_number(const std::string& s, double& out) {
  if (s.empty()) return false;
  char* end = nullptr;
  out = std::strtod(s.c_str(), &end);
  return end && *end == '\0' && !std::isspace(static_cast<unsigned char>(s[0]));
}

/// Compares two runs of digits by value, without overflow.
int compare_digits(std::string a, std::string b) {
  a.erase(0, std::min(a.find_first_not_of('0'), a.size()));
  b.erase(0, std::min(b.find_first_not_of('0'), b.size()));
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  return sign(a.compare(b));
}

int compare_integers(const std::string& a, const std::string& b) {
  bool na = a[0] == '-', nb = b[0] == '-';
  std::string ma = na ? a.substr(1) : a, mb = nb ? b.substr(1) : b;
  bool za = ma.find_first_not_of('0') == std::string::npos;
  bool zb = mb.find_first_not_of('0') == std::string::npos;
  if (za) na = false;  // -0 == 0
  if (zb) nb = false;
  if (na != nb) return na ? -1 : 1;
  int c = compare_digits(ma, mb);
  return na ? -c : c;
}

int order(const std::string& s, std::size_t i) {
  if (i >= s.size()) return 0;
  char c = s[i];
  if (digit(c)) return 0;
  if (std::isalpha(static_cast<unsigned char>(c))) return c;
  if (c == '~') return -1;
  return c + 256;
}

/// dpkg's verrevcmp.
int verrevcmp(const std::string& a, const std::string& b) {
  std::size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    while ((i < a.size() && !digit(a[i])) || (j < b.size() && !digit(b[j]))) {
      int ac = order(a, i), bc = order(b, j);
      if (ac != bc) return sign(ac - bc);
      ++i;
      ++j;
    }
    std::size_t si = i, sj = j;
    while (i < a.size() && digit(a[i])) ++i;
    while (j < b.size() && digit(b[j])) ++j;
    int c = compare_digits(a.substr(si, i - si), b.substr(sj, j - sj));
    if (c != 0) return c;
  }
  return 0;
}

struct Version {
  std::string epoch = "0", upstream, revision;
};

Version split(const std::string& s) {
  Version v;
  std::string rest = s;
  if (std::size_t colon = rest.find(':'); colon != std::string::npos) {
    v.epoch = rest.substr(0, colon);
    rest = rest.substr(colon + 1);
  }
  if (std::size_t dash = rest.rfind('-'); dash != std::string::npos) {
    v.revision = rest.substr(dash + 1);
    rest = rest.substr(0, dash);
  }
  v.upstream = rest;
  return v;
}

}  // namespace

int compare_versions(const std::string& a, const std::string& b) {
  if (is_integer(a) && is_integer(b)) return compare_integers(a, b);
  if (is_version(a) && is_version(b)) {
    Version va = split(a), vb = split(b);
    if (int c = compare_digits(va.epoch, vb.epoch)) return c;
    if (int c = verrevcmp(va.upstream, vb.upstream)) return c;
    return verrevcmp(va.revision, vb.revision);
  }
  double da = 0, db = 0;
  if (is_number(a, da) && is_number(b, db)) return da < db ? -1 : (da > db ? 1 : 0);
  return sign(a.compare(b));
}

}  // namespace aiprov
