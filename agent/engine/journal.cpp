#include <unistd.h>

#include <ctime>

#include "aiprov/engine.hpp"

namespace aiprov {

std::string iso_now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string new_run_id() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y%m%dT%H%M%SZ", &tm);
  return std::string(buf) + "-" + std::to_string(::getpid());
}

void make_dirs(FileSystem& fs, const std::string& path, unsigned mode) {
  if (path.empty() || path == "/") return;
  if (auto st = fs.stat(path)) {
    if (!st->is_dir()) throw HostError(path + " exists and is not a directory");
    return;
  }
  auto slash = path.find_last_of('/');
  make_dirs(fs, slash == 0 ? "/" : path.substr(0, slash), mode);
  fs.mkdir(path, mode);
}

void write_journal(FileSystem& fs, const RunReport& report) {
  make_dirs(fs, kRunsDir, 0755);
  WriteOptions opts;
  opts.mode = 0644;
  fs.write_atomic(std::string(kRunsDir) + "/" + report.run_id + ".json", report.to_json().dump(2) + "\n", opts);
}

std::optional<nlohmann::json> read_last_journal(const FileSystem& fs) {
  auto names = fs.list_dir(kRunsDir);  // sorted; run ids sort by time
  for (auto it = names.rbegin(); it != names.rend(); ++it) {
    if (it->size() < 5 || it->compare(it->size() - 5, 5, ".json") != 0) continue;
    auto text = fs.read(std::string(kRunsDir) + "/" + *it);
    if (!text) continue;
    auto j = nlohmann::json::parse(*text, nullptr, false);
    if (!j.is_discarded()) return j;
  }
  return std::nullopt;
}

}  // namespace aiprov
