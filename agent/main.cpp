#include "aiprov/cli.hpp"

int main(int argc, char** argv) { return aiprov::cli::main(argc, argv); }
