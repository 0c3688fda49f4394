#ifndef HOIST_CDEFLATE_SHIM_H
#define HOIST_CDEFLATE_SHIM_H
#include <libdeflate.h>
#endif
