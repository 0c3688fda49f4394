#define _GNU_SOURCE
#include "userns.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

static int state = 0;
static int ranges = HOIST_SUBIDS_NONE;
static uid_t caller;

int hoist_userns_state(void) { return state; }
int hoist_userns_subids(void) { return ranges; }
unsigned hoist_userns_caller(void) { return (unsigned)caller; }

static int write_text(const char *path, const char *text) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = write(fd, text, strlen(text));
    int saved = errno;
    close(fd);
    errno = saved;
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* The first range of `name` (or of the numeric `id`) in a subuid(5)/subgid(5) file: "owner:start:count". */
static int subordinate_range(const char *file, const char *name, unsigned id, unsigned long *start, unsigned long *count) {
    FILE *f = fopen(file, "re");
    if (!f) return 0;
    char line[512], number[32];
    snprintf(number, sizeof number, "%u", id);
    int found = 0;
    while (!found && fgets(line, sizeof line, f)) {
        char *first = strchr(line, ':');
        if (!first) continue;
        *first = 0;
        if (strcmp(line, number) != 0 && (!name || strcmp(line, name) != 0)) continue;
        char *end;
        *start = strtoul(first + 1, &end, 10);
        if (*end != ':') continue;
        *count = strtoul(end + 1, &end, 10);
        found = *count > 0;
    }
    fclose(f);
    return found;
}

/* Runs `tool PID 0 ID 1 1 START COUNT` (newuidmap/newgidmap) and waits; 0 when it succeeded. */
static int run_map_tool(const char *tool, pid_t pid, unsigned id, unsigned long start, unsigned long count) {
    char p[32], i[32], s[32], c[32];
    snprintf(p, sizeof p, "%d", (int)pid);
    snprintf(i, sizeof i, "%u", id);
    snprintf(s, sizeof s, "%lu", start);
    snprintf(c, sizeof c, "%lu", count);
    pid_t child = fork();
    if (child < 0) return -1;
    if (child == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) { dup2(null, 1); dup2(null, 2); }
        execlp(tool, tool, p, "0", i, "1", "1", s, c, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    pid_t waited;
    while ((waited = waitpid(child, &status, 0)) < 0 && errno == EINTR) {}
    return waited == child && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* Maps the caller's own ids to root, as an unprivileged process may do alone. */
static int map_own_ids(uid_t uid, gid_t gid, int uid_done) {
    char map[64];
    if (!uid_done) {
        snprintf(map, sizeof map, "0 %u 1\n", (unsigned)uid);
        if (write_text("/proc/self/uid_map", map) < 0) return -1;
    }
    /* Its gid only after setgroups is denied. */
    if (write_text("/proc/self/setgroups", "deny") < 0) return -1;
    snprintf(map, sizeof map, "0 %u 1\n", (unsigned)gid);
    return write_text("/proc/self/gid_map", map);
}

__attribute__((constructor)) static void hoist_enter_user_namespace(void) {
    const char *asked = getenv("HOIST_USERNS");
    if (!asked || strcmp(asked, "1") != 0 || geteuid() == 0) return;
    uid_t uid = geteuid();
    gid_t gid = getegid();
    caller = uid;
    struct passwd *pw = getpwuid(uid);
    const char *name = pw ? pw->pw_name : NULL;
    unsigned long ustart = 0, ucount = 0, gstart = 0, gcount = 0;
    int have = subordinate_range("/etc/subuid", name, uid, &ustart, &ucount)
            && subordinate_range("/etc/subgid", name, uid, &gstart, &gcount);

    /* With ranges, a helper outside the namespace runs newuidmap/newgidmap on this process once it
       has unshared (podman's way): id 0 is the caller, ids 1 and up its subordinate range. */
    int go[2] = {-1, -1}, done[2] = {-1, -1};
    pid_t helper = -1;
    if (have && pipe2(go, O_CLOEXEC) == 0 && pipe2(done, O_CLOEXEC) == 0) {
        pid_t self = getpid();
        helper = fork();
        if (helper < 0) {
            close(go[0]); close(go[1]); close(done[0]); close(done[1]);
        } else if (helper == 0) {
            close(go[1]);
            close(done[0]);
            char byte;
            if (read(go[0], &byte, 1) != 1) _exit(0);
            char result = 'n';
            if (run_map_tool("newuidmap", self, uid, ustart, ucount) == 0) {
                result = 'u';
                if (run_map_tool("newgidmap", self, gid, gstart, gcount) == 0) result = 'y';
            }
            if (write(done[1], &result, 1) != 1) _exit(1);
            _exit(0);
        }
        if (helper > 0) { close(go[0]); close(done[1]); }
    } else if (go[0] >= 0) {
        close(go[0]); close(go[1]);
    }
    if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0) {
        state = -errno;
        if (helper > 0) { close(go[1]); close(done[0]); waitpid(helper, NULL, 0); }
        return;
    }
    int uid_done = 0, gid_done = 0;
    if (helper > 0) {
        char result = 'n';
        /* A helper that died must not take hoist with it through SIGPIPE. */
        void (*previous)(int) = signal(SIGPIPE, SIG_IGN);
        if (write(go[1], "m", 1) != 1 || read(done[0], &result, 1) != 1) result = 'n';
        signal(SIGPIPE, previous);
        close(go[1]);
        close(done[0]);
        waitpid(helper, NULL, 0);
        uid_done = result == 'u' || result == 'y';
        gid_done = result == 'y';
        ranges = gid_done ? HOIST_SUBIDS_MAPPED : HOIST_SUBIDS_FAILED;
    } else if (have) {
        ranges = HOIST_SUBIDS_FAILED;
    }
    if (!gid_done && map_own_ids(uid, gid, uid_done) < 0) goto broken;
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
