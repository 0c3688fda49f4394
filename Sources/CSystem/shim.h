#ifndef HOIST_CSYSTEM_SHIM_H
#define HOIST_CSYSTEM_SHIM_H
// libc headers and calls Glibc's Swift module leaves out.
#include <sys/types.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

/// copy_file_range(2) is declared only under _GNU_SOURCE; the syscall itself is always there.
static inline ssize_t hoist_copy_file_range(int in, int out, size_t length) {
    return (ssize_t)syscall(SYS_copy_file_range, in, (void *)0, out, (void *)0, length, 0u);
}
#endif
