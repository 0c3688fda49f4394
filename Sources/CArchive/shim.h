#ifndef HOIST_CARCHIVE_SHIM_H
#define HOIST_CARCHIVE_SHIM_H
#include <archive.h>
#include <archive_entry.h>
#endif
