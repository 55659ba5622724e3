#pragma once
/// The command-line front end. agent/main.cpp only calls cli::main.

namespace aiprov::cli {

/// Parses argv, runs one subcommand, maps every error to a documented exit code (error.hpp).
int main(int argc, char** argv);

}  // namespace aiprov::cli
