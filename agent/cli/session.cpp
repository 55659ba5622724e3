#include <sys/stat.h>

#include "cli/options.hpp"
#include "aiprov/facts.hpp"
#include "host/real.hpp"

namespace aiprov::cli {

std::pair<std::string, std::string> split_assignment(const std::string& text, const std::string& option) {
  auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw UsageError(option + " expects name=value, got '" + text + "'");
  return {text.substr(0, eq), text.substr(eq + 1)};
}

Session::Session(const Options& options) : m_options(options) {
  struct stat st{};
  if (::stat(options.root.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw UsageError("--root " + options.root + ": not a directory");
  m_fs = make_real_filesystem(options.root);
  m_proc = make_real_process_runner(options.root);
  m_fetch = make_curl_fetcher();
  m_host = std::make_unique<Host>(Host{*m_fs, *m_proc, *m_fetch});
  FactOptions fo;
  fo.sysfs_root = options.sysfs;
  for (const auto& f : options.fact_overrides) fo.overrides.push_back(split_assignment(f, "--fact"));
  m_facts = gather_facts(*m_fs, fo);
}

Session::~Session() = default;

Recipe Session::load_recipe() const {
  LoadOptions lo;
  for (const auto& v : m_options.vars) {
    auto [name, value] = split_assignment(v, "--var");
    lo.var_overrides[name] = value;
  }
  lo.facts = &m_facts;
  lo.registry = &builtin_registry();
  return aiprov::load_recipe(m_options.recipe, lo);
}

}  // namespace aiprov::cli
