#ifndef HOIST_CISAL_SHIM_H
#define HOIST_CISAL_SHIM_H
// Intel's ISA-L igzip (Debian's libisal-dev, which ships no pkg-config file): gzip inflation
// about three times as fast as zlib's here (docs/decisions.md).
#include <isa-l/igzip_lib.h>
#endif
