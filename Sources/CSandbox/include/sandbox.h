#ifndef HOIST_SANDBOX_H
#define HOIST_SANDBOX_H
#include <stddef.h>
#include <sys/types.h>

/// A mount made inside the sandbox's root before the command starts: a bind of `source` (a host
/// path), or a filesystem of type `fstype` (tmpfs) with `data` as its options.
struct hoist_mount {
    const char *source;
    const char *target;   /* relative to the root, made beforehand (never a symlink) */
    const char *fstype;   /* NULL for a bind mount */
    const char *data;
    int readonly;
};

/* A resource limit for the command (`--ulimit`): RLIMIT_* and its soft and hard values. */
struct hoist_rlimit {
    int resource;
    unsigned long long soft;
    unsigned long long hard;
};

/// One command to run in a new mount, PID, UTS and IPC namespace (and network namespace when
/// `new_network`), with `rootfs` as its root. Everything between fork and exec is in C: Swift's
/// runtime is not safe to run in a forked child.
struct hoist_sandbox {
    const char *rootfs;
    const char *const *argv;      /* NULL-terminated */
    const char *const *envp;      /* NULL-terminated */
    const char *cwd;
    const char *hostname;
    /* Files on the host bind-mounted read-only over /etc/hosts, /etc/resolv.conf, /etc/hostname
       (each must already exist, maybe empty, inside rootfs). NULL leaves the path alone. */
    const char *hosts_file;
    const char *resolv_file;
    const char *hostname_file;
    uid_t uid;
    gid_t gid;
    const gid_t *groups;
    size_t ngroups;
    const struct hoist_mount *mounts;
    size_t nmounts;
    int new_network;
    int in_user_namespace;   /* hoist runs in its own user namespace (rootless): no setgroups */
    int all_capabilities;    /* RUN --security=insecure: keep every capability */
    int stdout_fd;
    int stderr_fd;
    const struct hoist_rlimit *rlimits;
    size_t nrlimits;
    unsigned long long shm_size;  /* bytes of /dev/shm's tmpfs; 0 gives 64 MiB, as BuildKit */
};

/// Runs the command and waits for it. Returns its exit status (0-255), 128+N if signal N ended
/// it, or -1 if the sandbox could not be set up (`error` then says why).
/// `*pid_out` receives the outer child's pid as soon as it exists, so a caller may kill it.
int hoist_sandbox_run(const struct hoist_sandbox *sandbox, char *error, size_t error_size, volatile pid_t *pid_out);

#endif
