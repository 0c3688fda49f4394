#define _GNU_SOURCE
#include "userns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

static int state = 0;

int hoist_userns_state(void) { return state; }

static int write_text(const char *path, const char *text) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = write(fd, text, strlen(text));
    int saved = errno;
    close(fd);
    errno = saved;
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

__attribute__((constructor)) static void hoist_enter_user_namespace(void) {
    const char *asked = getenv("HOIST_USERNS");
    if (!asked || strcmp(asked, "1") != 0 || geteuid() == 0) return;
    uid_t uid = geteuid();
    gid_t gid = getegid();
    if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0) {
        state = -errno;
        return;
    }
    char map[64];
    /* An unprivileged process may map only its own ids, and its gid only after setgroups is denied. */
    if (write_text("/proc/self/setgroups", "deny") < 0) goto broken;
    snprintf(map, sizeof map, "0 %u 1\n", (unsigned)uid);
    if (write_text("/proc/self/uid_map", map) < 0) goto broken;
    snprintf(map, sizeof map, "0 %u 1\n", (unsigned)gid);
    if (write_text("/proc/self/gid_map", map) < 0) goto broken;
    /* Overlay and bind mounts Hoist makes stay in this namespace. */
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) goto broken;
    state = 1;
    return;
broken:
    /* Half inside a namespace nothing works; say so and stop rather than fail later in odd ways. */
    fprintf(stderr, "hoist: cannot map uid %u to root in a user namespace: %s (set HOIST_USERNS=0 to run without one)\n",
            (unsigned)uid, strerror(errno));
    _exit(1);
}
