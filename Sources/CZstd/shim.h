#ifndef HOIST_CZstd_SHIM_H
#define HOIST_CZstd_SHIM_H
#include <zstd.h>
#endif
