#ifndef HOIST_CARCHIVE_SHIM_H
#define HOIST_CARCHIVE_SHIM_H
#include <archive.h>
#include <archive_entry.h>
// The AE_IF* macros are casts, which Swift does not import; these constants it can.
static const unsigned int HOIST_AE_IFREG = AE_IFREG;
static const unsigned int HOIST_AE_IFDIR = AE_IFDIR;
static const unsigned int HOIST_AE_IFLNK = AE_IFLNK;
static const unsigned int HOIST_AE_IFMT = AE_IFMT;
#endif
