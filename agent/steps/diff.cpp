#include "steps/diff.hpp"

#include <algorithm>
#include <optional>
#include <string_view>
#include <vector>

namespace aiprov {
namespace {

constexpr int kContext = 3;

/// Lines including their '\n'; only the last one may lack it, so "a" and "a\n" differ as in diff(1).
std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
    lines.push_back(text.substr(start, end - start));
    start = end;
  }
  return lines;
}

enum class Op { Equal, Delete, Insert };
struct Edit {
  Op op;
  int a;  ///< index in before (Equal, Delete)
  int b;  ///< index in after (Equal, Insert)
};

/// Beyond this many differing lines the edit script is no longer minimal: the differing middle is shown
/// as deleted and re-inserted. Myers' memory grows with the square of the edit distance; the cap keeps a
/// plan of a wholly rewritten large file at a few MB instead of gigabytes.
constexpr int kMaxEditDistance = 2000;

/// Myers' O(ND) shortest edit script of a[a0, a1) against b[b0, b1); nullopt past kMaxEditDistance.
/// Each step d keeps only its V slice [-d, d], so memory is O(D^2), not O(D * (N + M)).
std::optional<std::vector<Edit>> myers(const std::vector<std::string_view>& a, int a0, int a1,
                                       const std::vector<std::string_view>& b, int b0, int b1) {
  const int n = a1 - a0;
  const int m = b1 - b0;
  const int max = std::min(n + m, kMaxEditDistance);
  const int offset = max + 1;
  std::vector<int> v(2 * max + 3, 0);
  std::vector<std::vector<int>> trace;  // trace[d][k + d] = V[k] before step d
  int d_end = -1;
  for (int d = 0; d <= max && d_end < 0; ++d) {
    trace.emplace_back(v.begin() + offset - d, v.begin() + offset + d + 1);
    for (int k = -d; k <= d; k += 2) {
      int x = (k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1])) ? v[offset + k + 1]
                                                                           : v[offset + k - 1] + 1;
      int y = x - k;
      while (x < n && y < m && a[a0 + x] == b[b0 + y]) ++x, ++y;
      v[offset + k] = x;
      if (x >= n && y >= m) {
        d_end = d;
        break;
      }
    }
  }
  if (d_end < 0) return std::nullopt;
  // Backtrack from (n, m) through the saved V slices.
  std::vector<Edit> edits;
  int x = n, y = m;
  for (int d = d_end; d > 0; --d) {
    const std::vector<int>& pv = trace[d];
    auto at = [&](int k) { return pv[k + d]; };
    int k = x - y;
    bool down = k == -d || (k != d && at(k - 1) < at(k + 1));
    int prev_k = down ? k + 1 : k - 1;
    int prev_x = at(prev_k);
    int prev_y = prev_x - prev_k;
    while (x > prev_x && y > prev_y) --x, --y, edits.push_back({Op::Equal, a0 + x, b0 + y});
    if (down)
      --y, edits.push_back({Op::Insert, a0 + x, b0 + y});
    else
      --x, edits.push_back({Op::Delete, a0 + x, b0 + y});
  }
  while (x > 0 && y > 0) --x, --y, edits.push_back({Op::Equal, a0 + x, b0 + y});
  std::reverse(edits.begin(), edits.end());
  return edits;
}

/// The edit script: common prefix and suffix, and Myers (or delete + insert past the cap) between.
std::vector<Edit> edit_script(const std::vector<std::string_view>& a, const std::vector<std::string_view>& b) {
  int n = static_cast<int>(a.size()), m = static_cast<int>(b.size());
  int pre = 0;
  while (pre < n && pre < m && a[pre] == b[pre]) ++pre;
  int suf = 0;
  while (suf < n - pre && suf < m - pre && a[n - 1 - suf] == b[m - 1 - suf]) ++suf;
  std::vector<Edit> edits;
  for (int i = 0; i < pre; ++i) edits.push_back({Op::Equal, i, i});
  if (auto middle = myers(a, pre, n - suf, b, pre, m - suf)) {
    edits.insert(edits.end(), middle->begin(), middle->end());
  } else {
    for (int i = pre; i < n - suf; ++i) edits.push_back({Op::Delete, i, pre});
    for (int j = pre; j < m - suf; ++j) edits.push_back({Op::Insert, n - suf, j});
  }
  for (int i = suf; i > 0; --i) edits.push_back({Op::Equal, n - i, m - i});
  return edits;
}

/// "start,count" of a hunk side as GNU diff writes it: ",1" is omitted; an empty side names the line
/// before it.
std::string range(int start, int count) {
  if (count == 0) return std::to_string(start) + ",0";
  if (count == 1) return std::to_string(start + 1);
  return std::to_string(start + 1) + "," + std::to_string(count);
}

void emit_line(std::string& out, char prefix, std::string_view line) {
  out += prefix;
  out += line;
  if (line.empty() || line.back() != '\n') out += "\n\\ No newline at end of file\n";
}

}  // namespace

std::string unified_diff(const std::string& before, const std::string& after, const std::string& path,
                         bool before_exists) {
  if (before == after) return {};
  std::vector<std::string_view> a = split_lines(before);
  std::vector<std::string_view> b = split_lines(after);
  std::vector<Edit> edits = edit_script(a, b);

  std::string out = "--- " + (before_exists ? path : std::string("/dev/null")) + "\n+++ " + path + "\n";
  const int count = static_cast<int>(edits.size());
  int i = 0;
  while (i < count) {
    if (edits[i].op == Op::Equal) {
      ++i;
      continue;
    }
    // A hunk starts kContext lines before the first change and runs while changes are at most
    // 2 * kContext equal lines apart.
    int first = std::max(0, i - kContext);
    int last = i;  // last changed edit index
    int j = i;
    while (j < count) {
      if (edits[j].op != Op::Equal) {
        last = j;
        ++j;
        continue;
      }
      int run = j;
      while (run < count && edits[run].op == Op::Equal) ++run;
      if (run < count && run - j <= 2 * kContext) {
        j = run;
        continue;
      }
      break;
    }
    int end = std::min(count, last + 1 + kContext);

    int a_start = edits[first].a, b_start = edits[first].b, a_count = 0, b_count = 0;
    std::string body;
    for (int e = first; e < end; ++e) {
      const Edit& ed = edits[e];
      switch (ed.op) {
        case Op::Equal:
          emit_line(body, ' ', a[ed.a]);
          ++a_count, ++b_count;
          break;
        case Op::Delete:
          emit_line(body, '-', a[ed.a]);
          ++a_count;
          break;
        case Op::Insert:
          emit_line(body, '+', b[ed.b]);
          ++b_count;
          break;
      }
    }
    out += "@@ -" + range(a_start, a_count) + " +" + range(b_start, b_count) + " @@\n" + body;
    i = end;
  }
  return out;
}

}  // namespace aiprov
