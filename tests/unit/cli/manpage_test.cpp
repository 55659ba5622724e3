// The manual pages cannot drift from the binary: aiprov(1) (packaging/man/aiprov.1.in, written by hand)
// must document exactly the subcommands and options `--help` lists and the exit codes of error.hpp;
// aiprov-recipe(5) (`aiprov steps --man`) must hold every step and probe type with its fields and be
// plain man(7) roff.

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "aiprov/cli.hpp"
#include "aiprov/recipe.hpp"
#include "cli/steps_man.hpp"

namespace aiprov {
namespace {

using Names = std::set<std::string>;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string help_of(std::vector<std::string> args) {
  args.insert(args.begin(), "aiprov");
  args.push_back("--help");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  ::testing::internal::CaptureStdout();
  int rc = cli::main(static_cast<int>(args.size()), argv.data());
  std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(rc, 0) << out;
  return out;
}

struct Help {
  Names subcommands;
  Names options;  // "-h", "--help", "--root", ...
};

/// CLI11's help: section headers ("Options:", or "OPTIONS:" in CLI11 >= 2.4) start in column 0;
/// subcommands are indented by two spaces; an option item is an indented line starting with '-', its
/// names come before the first word of its description (type names such as DIR are upper case).
Help parse_help(const std::string& text) {
  Help h;
  std::string section;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    if (line[0] != ' ') {
      std::string lower;
      for (char c : line) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      section = lower.rfind("subcommands:", 0) == 0 ? "sub" : lower.rfind("options:", 0) == 0 ? "opt" : "";
      continue;
    }
    std::istringstream words(line);
    std::string word;
    if (section == "sub") {
      if (line.compare(0, 2, "  ") != 0 || line[2] == ' ') continue;  // a description's continuation
      words >> word;
      h.subcommands.insert(word);
    } else if (section == "opt") {
      if (line.find_first_not_of(' ') == std::string::npos || line[line.find_first_not_of(' ')] != '-') continue;
      while (words >> word) {
        if (word[0] == '-') {
          std::istringstream parts(word);
          for (std::string p; std::getline(parts, p, ',');)
            if (!p.empty()) h.options.insert(p);
        } else if (std::islower(static_cast<unsigned char>(word[0])) || word[0] == '(' ||
                   (word.size() > 1 && std::isupper(static_cast<unsigned char>(word[0])) &&
                    std::islower(static_cast<unsigned char>(word[1])))) {
          break;  // the description
        }
      }
    }
  }
  return h;
}

/// The man page split by `.SH` then `.SS`: sections["COMMANDS"]["plan"] is the text of that subsection
/// (the part before the first .SS has the key "").
using Sections = std::map<std::string, std::map<std::string, std::string>>;

Sections split_page(const std::string& page) {
  Sections s;
  std::string sh, ss;
  std::istringstream in(page);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(".SH ", 0) == 0) {
      sh = line.substr(4);
      ss.clear();
    } else if (line.rfind(".SS ", 0) == 0) {
      ss = line.substr(4);
    } else {
      s[sh][ss] += line + "\n";
    }
  }
  return s;
}

/// The tags of the .TP items of a roff text, with "\-" read as "-": each line right after ".TP".
std::vector<std::string> tp_tags(const std::string& text) {
  std::vector<std::string> tags;
  std::istringstream in(text);
  bool next = false;
  for (std::string line; std::getline(in, line);) {
    if (next) tags.push_back(std::regex_replace(line, std::regex(R"(\\-)"), "-"));
    next = line == ".TP";
  }
  return tags;
}

/// The options named in the .TP tags of `text` ("--root", "-v", ...).
Names documented_options(const std::string& text) {
  Names out;
  std::regex opt(R"((^|[\s"])(--?[a-z][a-z0-9-]*))");
  for (const auto& tag : tp_tags(text))
    for (std::sregex_iterator it(tag.begin(), tag.end(), opt), end; it != end; ++it) out.insert((*it)[2]);
  return out;
}

std::string join(const Names& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : " ") + n;
  return out;
}

const std::string kPage = std::string(AIPROV_SOURCE_DIR) + "/packaging/man/aiprov.1.in";

TEST(ManPage, DocumentsEverySubcommandAndNoOther) {
  Help top = parse_help(help_of({}));
  ASSERT_GE(top.subcommands.size(), 7u) << help_of({});
  Sections page = split_page(read_file(kPage));
  ASSERT_TRUE(page.count("COMMANDS")) << kPage;
  Names documented;
  for (const auto& [name, text] : page["COMMANDS"])
    if (!name.empty()) documented.insert(name);
  EXPECT_EQ(join(documented), join(top.subcommands))
      << "packaging/man/aiprov.1.in: one `.SS name` under COMMANDS per subcommand of `aiprov --help`";
}

TEST(ManPage, DocumentsEveryOptionOfEachSubcommand) {
  Help top = parse_help(help_of({}));
  Sections page = split_page(read_file(kPage));
  for (const auto& sub : top.subcommands) {
    SCOPED_TRACE(sub);
    Names options = parse_help(help_of({sub})).options;
    options.erase("-h");
    options.erase("--help");
    EXPECT_EQ(join(documented_options(page["COMMANDS"][sub])), join(options))
        << "packaging/man/aiprov.1.in: the `.TP` items of `.SS " << sub << "` must be the options of `aiprov "
        << sub << " --help`";
  }
}

TEST(ManPage, DocumentsEveryGlobalOption) {
  Help top = parse_help(help_of({}));
  ASSERT_TRUE(top.options.count("--root")) << help_of({});
  Sections page = split_page(read_file(kPage));
  EXPECT_EQ(join(documented_options(page["GLOBAL OPTIONS"][""])), join(top.options))
      << "packaging/man/aiprov.1.in: GLOBAL OPTIONS must list the options of `aiprov --help`";
}

TEST(ManPage, DocumentsEveryExitCode) {
  std::string header = read_file(std::string(AIPROV_SOURCE_DIR) + "/include/aiprov/error.hpp");
  Names codes;
  std::regex code(R"(kExit\w+\s*=\s*(\d+))");
  for (std::sregex_iterator it(header.begin(), header.end(), code), end; it != end; ++it) codes.insert((*it)[1]);
  ASSERT_GE(codes.size(), 6u);
  Sections page = split_page(read_file(kPage));
  Names documented;
  for (const auto& tag : tp_tags(page["EXIT STATUS"][""])) documented.insert(tag.substr(tag.find(' ') + 1));
  EXPECT_EQ(join(documented), join(codes)) << "packaging/man/aiprov.1.in: EXIT STATUS must list error.hpp's codes";
}

TEST(ManPage, HelpParserReadsCli11Layouts) {
  // CLI11 2.3 (Debian 12) and 2.4 (Ubuntu 24.04) lay the names out differently.
  Help old = parse_help("aiprov\nUsage: aiprov [OPTIONS] SUBCOMMAND\n\nOptions:\n"
                        "  -h,--help                   Print this help message and exit\n"
                        "  --var NAME=VALUE ...        Set a recipe variable\n"
                        "  --gpus N                    Number of cards (with --gpu-memory)\n\n"
                        "Subcommands:\n  validate                    Check a recipe\n"
                        "                              continued description\n");
  EXPECT_EQ(join(old.options), "--gpus --help --var -h");
  EXPECT_EQ(join(old.subcommands), "validate");
  Help neu = parse_help("OPTIONS:\n  -h,     --help              Print this help message and exit\n"
                        "          --root DIR          Operate on the system tree at DIR\n"
                        "SUBCOMMANDS:\n  plan                        Show what apply would change\n");
  EXPECT_EQ(join(neu.options), "--help --root -h");
  EXPECT_EQ(join(neu.subcommands), "plan");
}

TEST(RecipeManPage, HasEveryStepAndProbeTypeWithItsFields) {
  const Registry& reg = builtin_registry();
  Sections page = split_page(cli::steps_man(reg, "9.9"));
  ASSERT_EQ(page["STEP TYPES"].size(), reg.types().size() + 1);
  for (const auto& t : reg.types()) {
    SCOPED_TRACE(t.name);
    ASSERT_TRUE(page["STEP TYPES"].count(t.name));
    const std::string& text = page["STEP TYPES"][t.name];
    Names fields;
    for (const auto& tag : tp_tags(text)) fields.insert(tag.substr(3));  // ".B name"
    Names expected;
    for (const auto& f : t.fields) expected.insert(f.name);
    EXPECT_EQ(join(fields), join(expected));
    EXPECT_NE(text.find(".nf\n"), std::string::npos) << "example missing";
  }
  ASSERT_EQ(page["PROBE TYPES"].size(), reg.probe_types().size() + 1);
  for (const auto& t : reg.probe_types()) EXPECT_TRUE(page["PROBE TYPES"].count(t.name)) << t.name;
  Names common;
  for (const auto& tag : tp_tags(page["COMMON FIELDS"][""])) common.insert(tag.substr(3));
  Names expected;
  for (const auto& f : Registry::common_fields()) expected.insert(f.name);
  EXPECT_EQ(join(common), join(expected));
}

TEST(RecipeManPage, EveryRequestIsAManMacro) {
  // A YAML example or a doc string that starts a line with '.' or '\'' would be read as a request.
  std::string page = cli::steps_man(builtin_registry(), "9.9");
  std::regex request(R"(^[.'](\\"|TH|SH|SS|TP|PP|RS|RE|nf|fi|br|B|I|BR|BI|IB|IR|RI|RB)( |$))");
  std::istringstream in(page);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && (line[0] == '.' || line[0] == '\'')) {
      EXPECT_TRUE(std::regex_search(line, request)) << "not a man(7) request: " << line;
    }
  }
  EXPECT_NE(page.find(".TH AIPROV\\-RECIPE 5 \"\" \"aiprov 9.9\""), std::string::npos);
}

TEST(RecipeManPage, RoffEscape) {
  EXPECT_EQ(cli::roff_escape(".hidden\n'quote\nnot.start a\\b -x"), "\\&.hidden\n\\&'quote\nnot.start a\\eb \\-x");
}

TEST(RecipeManPage, StepsManIsTheCommand) {
  ::testing::internal::CaptureStdout();
  std::vector<std::string> args = {"aiprov", "steps", "--man"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  EXPECT_EQ(cli::main(3, argv.data()), 0);
  std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(out.rfind(".\\\" Generated by `aiprov steps --man`", 0), 0u) << out.substr(0, 200);
  EXPECT_NE(out.find("\n.SS file\n"), std::string::npos);
}

}  // namespace
}  // namespace aiprov
