#ifndef HOIST_CZlib_SHIM_H
#define HOIST_CZlib_SHIM_H
#include <zlib.h>
#endif
