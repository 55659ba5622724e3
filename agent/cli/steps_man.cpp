#include "cli/steps_man.hpp"

#include <sstream>

namespace aiprov::cli {

namespace {

/// The recipe language (docs/recipes.md in short). Roff, written by hand; the generated sections follow.
constexpr const char* kLanguage = R"(.SH DESCRIPTION
A recipe is a YAML file that
.BR aiprov (1)
validates, plans and applies.
Every step is idempotent: a second apply changes nothing.
.B aiprov validate
checks a recipe without touching anything; every mistake is reported as
.I file:line:col: message
(the file the mistake is in, also inside includes) with exit code 3.
.PP
Top-level keys:
.B aiprov
(the language version, must be 1; required),
.BR name ,
.BR vars ,
.BR include ,
.BR steps ,
.B handlers
and
.BR probes .
Any other key is an error.
.SH EXAMPLE
.RS 4
.nf
aiprov: 1
name: example
vars:
  mirror: http://mirror.example/ubuntu/
include: [modules/python\-mirrors.yaml]
steps:
  \- id: apt\-mirror
    type: apt_mirror
    mirror: ${mirror}
  \- id: motd
    type: file
    path: /etc/motd
    content: "built for ${facts.os.codename}\en"
    notify: [refresh\-motd]
  \- id: marker
    type: command
    argv: [touch, /opt/ai/.marker]
    creates: /opt/ai/.marker
    when: facts.os.id == "ubuntu" and facts.gpu.count > 0
handlers:
  \- id: refresh\-motd
    type: command
    argv: [run\-parts, /etc/update\-motd.d]
.fi
.RE
.SH VARIABLES AND INTERPOLATION
.B ${name}
in any string of a step is replaced by the variable's value;
.B ${facts.os.codename}
by a fact (see
.BR "aiprov facts" );
.B $${
is a literal
.BR ${ .
A string that is exactly
.B ${name}
where the variable is a list becomes that list.
An included module's
.B vars
are defaults, the including recipe's
.B vars
override them, and
.B \-\-var
.I name=value
on the command line overrides both.
A variable or fact that is not defined is an error at validation, never an empty string.
.SH INCLUDES
.B include
lists files relative to the including file.
Included modules may include others; a cycle is an error at the include that closes it, and so is a
missing file.
The steps of included modules come first, in include order, then the file's own steps.
.SH WHEN EXPRESSIONS
A step runs only when its
.B when
expression is true.
Comparisons
.BR == ", " != ", " < ", " <= ", " > ", " >=
are version\-aware when both sides look like versions, numeric for numbers, else string comparisons;
.BR and ", " or ", " not
and parentheses combine them.
Literals: strings in double or single quotes, numbers,
.BR true ", " false ,
lists
.BR "[\(dqa\(dq, \(dqb\(dq]" .
.I x
.B in
.I list
tests membership.
Identifiers are
.BI facts. name
for facts and bare names for variables.
.SH HANDLERS
.B handlers
holds steps of any type that run only when a step that changed something names them in
.BR notify .
Each notified handler runs once per run: before the first later step that lists it in
.BR needs ,
or else at the end of the run.
.SH PROBES
.B probes
holds read\-only checks that prove a result (a driver that answers, a compiler of the right release).
They have the common fields
.BR id ", " type ", " when ", " description " and " tags
and the fields of their type (see
.B PROBE TYPES
below).
.B aiprov verify
runs them; so does
.B aiprov apply
after a successful apply, unless a reboot is pending.
Each probe reports PASS, FAIL or SKIP with its evidence (the command that ran and the lines of its
output that decided) and never changes the host.
A failed probe makes the exit code 1.
.SH PLANNING AND APPLYING
.B plan
asks every selected step what it would change and prints it:
.B +
create,
.B ~
change,
.B \-
remove,
.B !
a command that would run,
.B ?
a step whose outcome depends on a change an earlier step would make (planned again right before it
runs).
.B apply
shows the same plan, asks, and applies the steps in order; after each step it plans that step again,
and a step that still has changes has failed (the run stops there).
After a step changed apt's sources, the next step that uses apt is preceded by one
.BR "apt\-get update" .
)";

void fields_list(std::ostringstream& out, const std::vector<FieldSpec>& fields) {
  for (const auto& f : fields) {
    out << ".TP\n.B " << roff_escape(f.name) << "\n" << field_type_name(f.type) << (f.required ? ", required" : "")
        << (f.doc.empty() ? "" : ": ") << roff_escape(f.doc) << "\n";
  }
}

void example(std::ostringstream& out, const std::string& yaml) {
  out << ".PP\nExample:\n.RS 4\n.nf\n" << roff_escape(yaml);
  if (!yaml.empty() && yaml.back() != '\n') out << "\n";
  out << ".fi\n.RE\n";
}

/// ".BR a ,\n.BR b ,\n.B c\n": names in bold, separated by commas.
template <typename T>
void name_list(std::ostringstream& out, const std::vector<T>& items) {
  for (std::size_t i = 0; i < items.size(); ++i)
    out << (i + 1 < items.size() ? ".BR " : ".B ") << roff_escape(items[i].name) << (i + 1 < items.size() ? " ,\n" : "\n");
}

}  // namespace

std::string roff_escape(const std::string& text) {
  std::string out;
  bool line_start = true;
  for (char c : text) {
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    if (c == '\\') out += "\\e";
    else if (c == '-') out += "\\-";
    else out += c;
    line_start = (c == '\n');
  }
  return out;
}

std::string steps_man(const Registry& registry, const std::string& version) {
  std::ostringstream out;
  out << ".\\\" Generated by `aiprov steps --man` from the registry that builds the steps; do not edit.\n"
      << ".TH AIPROV\\-RECIPE 5 \"\" \"aiprov " << roff_escape(version) << "\" \"File Formats\"\n"
      << ".SH NAME\naiprov\\-recipe \\- the aiprov recipe language, its step types and probe types\n"
      << ".SH SYNOPSIS\n.nf\naiprov: 1\nname: NAME\nvars: {NAME: VALUE, ...}\ninclude: [FILE, ...]\n"
      << "steps: [STEP, ...]\nhandlers: [STEP, ...]\nprobes: [PROBE, ...]\n.fi\n"
      << kLanguage;

  out << ".SH COMMON FIELDS\nEvery step has these fields besides those of its type:\n";
  fields_list(out, Registry::common_fields());

  out << ".SH STEP TYPES\nThe step types of this build (" << registry.types().size() << "):\n";
  name_list(out, registry.types());
  for (const auto& t : registry.types()) {
    out << ".SS " << roff_escape(t.name) << "\n" << roff_escape(t.summary) << ".\n";
    fields_list(out, t.fields);
    example(out, t.example);
  }

  out << ".SH PROBE TYPES\nThe probe types of this build (" << registry.probe_types().size() << "):\n";
  name_list(out, registry.probe_types());
  out << ".PP\nEvery probe has the common fields\n";
  name_list(out, Registry::common_probe_fields());
  out << "besides those of its type.\n";
  for (const auto& t : registry.probe_types()) {
    out << ".SS " << roff_escape(t.name) << "\n" << roff_escape(t.summary) << ".\n";
    fields_list(out, t.fields);
    example(out, t.example);
  }

  out << ".SH SEE ALSO\n.BR aiprov (1)\n";
  return out.str();
}

}  // namespace aiprov::cli
