#ifndef HOIST_CSYSTEM_SHIM_H
#define HOIST_CSYSTEM_SHIM_H
// libc headers Glibc's Swift module leaves out.
#include <sys/xattr.h>
#endif
