#include <cstdio>
#include "mha/version.hpp"
int main() { std::printf("mha %s\n", MHA_VERSION_STRING); }
