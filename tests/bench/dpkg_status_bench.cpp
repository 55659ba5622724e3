// Benchmark: reading the installed state of 300 packages three ways, in the same run:
//   1. aiprov's parser: read /var/lib/dpkg/status, parse it in one pass, look the 300 names up;
//   2. one `dpkg-query -W -f='${Status} ${Version}' NAME` per package (300 processes);
//   3. one `dpkg-query -W` call naming all 300.
// The names are 300 installed packages picked evenly from the status file. Processes run through
// aiprov's own ProcessRunner (as a step would run them). Prints medians and the ratios to the parser,
// and checks that the three agree on every version. Run (after scripts/test.sh built build-test/):
//
//     build-test/tests/bench/bench_dpkg_status [--root DIR] [--runs N] [--count 300]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "host/real.hpp"
#include "steps/dpkg_status.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using Versions = std::map<std::string, std::string>;  // name -> installed version ("" when not installed)

double median_ms(int runs, const std::function<void()>& fn) {
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    auto t0 = Clock::now();
    fn();
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

/// dpkg-query argv for `names`, against the root's database.
std::vector<std::string> query_argv(const std::string& root, const std::vector<std::string>& names, bool with_name) {
  std::vector<std::string> argv = {"dpkg-query"};
  if (root != "/") argv.push_back("--admindir=" + root + "/var/lib/dpkg");
  argv.push_back("-W");
  argv.push_back(with_name ? "-f=${Package} ${Status} ${Version}\n" : "-f=${Status} ${Version}\n");
  argv.insert(argv.end(), names.begin(), names.end());
  return argv;
}

/// "install ok installed 1.2-1" -> "1.2-1" when installed, else "".
std::string version_of(const std::string& status_version) {
  const std::string installed = " installed ";
  auto at = status_version.find(installed);
  if (at == std::string::npos) return "";
  std::string v = status_version.substr(at + installed.size());
  while (!v.empty() && (v.back() == '\n' || v.back() == ' ')) v.pop_back();
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  std::string root = "/";
  int runs = 5;
  std::size_t count = 300;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--root")
      root = argv[i + 1];
    else if (a == "--runs")
      runs = std::max(1, std::atoi(argv[i + 1]));
    else if (a == "--count")
      count = static_cast<std::size_t>(std::max(1, std::atoi(argv[i + 1])));
    else {
      std::fprintf(stderr, "usage: %s [--root DIR] [--runs N] [--count N]\n", argv[0]);
      return 3;
    }
  }
  auto fs = aiprov::make_real_filesystem(root);
  auto proc = aiprov::make_real_process_runner("/");  // dpkg-query --admindir: no chroot needed
  root = fs->root();
  const std::string status_path = aiprov::steps::dpkg::kStatusPath;
  auto st = fs->stat(status_path);
  if (!st) {
    std::fprintf(stderr, "no %s under %s\n", status_path.c_str(), root.c_str());
    return 1;
  }

  // 300 installed names, picked evenly over the sorted list.
  std::vector<std::string> installed;
  for (const auto& [key, pkg] : aiprov::steps::dpkg::parse_status(*fs->read(status_path)))
    if (key.find(':') == std::string::npos && pkg.installed()) installed.push_back(key);
  std::sort(installed.begin(), installed.end());
  std::vector<std::string> names;
  count = std::min(count, installed.size());
  for (std::size_t i = 0; i < count; ++i) names.push_back(installed[i * installed.size() / count]);

  Versions by_parser, by_each, by_batch;
  double parser_ms = median_ms(std::max(runs, 21), [&] {
    auto text = fs->read(status_path);
    auto map = aiprov::steps::dpkg::parse_status(*text);
    by_parser.clear();
    for (const auto& n : names) {
      auto it = map.find(n);
      by_parser[n] = it != map.end() && it->second.installed() ? it->second.version : "";
    }
  });
  double cached_ms = median_ms(std::max(runs, 21), [&] {
    auto map = aiprov::steps::dpkg::installed_packages(*fs);  // a re-plan: stat, cache hit
    for (const auto& n : names) (void)map->count(n);
  });
  double each_ms = median_ms(runs, [&] {
    by_each.clear();
    for (const auto& n : names) {
      aiprov::Command cmd;
      cmd.argv = query_argv(root, {n}, false);
      by_each[n] = version_of(" " + proc->run(cmd).output);
    }
  });
  double batch_ms = median_ms(std::max(runs, 21), [&] {
    aiprov::Command cmd;
    cmd.argv = query_argv(root, names, true);
    std::string out = proc->run(cmd).output;
    by_batch.clear();
    for (std::size_t at = 0; at < out.size();) {
      std::size_t eol = out.find('\n', at);
      std::string line = out.substr(at, eol == std::string::npos ? std::string::npos : eol - at);
      at = eol == std::string::npos ? out.size() : eol + 1;
      std::size_t sp = line.find(' ');
      if (sp != std::string::npos) by_batch[line.substr(0, sp)] = version_of(line.substr(sp));
    }
  });

  std::size_t agree = 0;
  for (const auto& n : names)
    agree += by_parser[n] == by_each[n] && by_parser[n] == by_batch[n] && !by_parser[n].empty();

  std::printf("installed state of %zu packages; root %s: %zu installed, status file %llu bytes\n", names.size(),
              root.c_str(), installed.size(), static_cast<unsigned long long>(st->size));
  std::printf("  %-52s %12s %12s\n", "method", "median", "vs parser");
  std::printf("  %-52s %9.3f ms %11.1fx\n", "parse status file once + look up each name", parser_ms, 1.0);
  std::printf("  %-52s %9.3f ms %11.3fx\n", "same, cached (re-plan: stat only)", cached_ms, cached_ms / parser_ms);
  std::printf("  %-52s %9.3f ms %11.1fx\n",
              ("one `dpkg-query -W NAME` per package (" + std::to_string(names.size()) + ")").c_str(), each_ms,
              each_ms / parser_ms);
  std::printf("  %-52s %9.3f ms %11.1fx\n", "one `dpkg-query -W` naming all of them", batch_ms, batch_ms / parser_ms);
  std::printf("  runs: %d (per-package dpkg-query), %d (others); versions agree for %zu of %zu packages\n", runs,
              std::max(runs, 21), agree, names.size());
  return agree == names.size() ? 0 : 1;
}
