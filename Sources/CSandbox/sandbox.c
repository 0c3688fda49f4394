#define _GNU_SOURCE
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Reports a setup failure through the error pipe and ends the child. Only async-signal-safe calls. */
static void fail(int fd, const char *what) {
    char buffer[512];
    int saved = errno;
    int n = snprintf(buffer, sizeof buffer, "%s: %s", what, strerror(saved));
    if (n > 0) { ssize_t w = write(fd, buffer, (size_t)n < sizeof buffer ? (size_t)n : sizeof buffer - 1); (void)w; }
    _exit(127);
}

static void path_in(char *out, size_t size, const char *root, const char *path) {
    snprintf(out, size, "%s/%s", root, path);
}

/* Makes a bind mount read-only. Flags the source mount already has are kept: in a user namespace
   the kernel refuses a remount that would drop nosuid, nodev or noexec from a mount it locked. */
static void remount_readonly(int fd, const char *path, const char *what, unsigned long extra) {
    struct statvfs st;
    unsigned long flags = MS_BIND | MS_REMOUNT | MS_RDONLY | extra;
    if (statvfs(path, &st) == 0) {
        if (st.f_flag & ST_NOSUID) flags |= MS_NOSUID;
        if (st.f_flag & ST_NODEV) flags |= MS_NODEV;
        if (st.f_flag & ST_NOEXEC) flags |= MS_NOEXEC;
        if (st.f_flag & ST_NOATIME) flags |= MS_NOATIME;
        if (st.f_flag & ST_NODIRATIME) flags |= MS_NODIRATIME;
        if (st.f_flag & ST_RELATIME) flags |= MS_RELATIME;
    }
    if (mount(NULL, path, NULL, flags, NULL) < 0) fail(fd, what);
}

static void bind_file(int fd, const char *root, const char *source, const char *target, int readonly) {
    char path[4096];
    path_in(path, sizeof path, root, target);
    if (mount(source, path, NULL, MS_BIND, NULL) < 0) fail(fd, target);
    if (readonly) remount_readonly(fd, path, target, MS_NOSUID | MS_NODEV);
}

static void make_dev(int fd, const char *root, unsigned long long shm_size) {
    static const char *nodes[] = {"null", "zero", "full", "random", "urandom", "tty"};
    char path[4096];
    path_in(path, sizeof path, root, "dev");
    if (mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k") < 0) fail(fd, "mount /dev");
    for (size_t i = 0; i < sizeof nodes / sizeof nodes[0]; i++) {
        char source[64], target[64];
        snprintf(source, sizeof source, "/dev/%s", nodes[i]);
        snprintf(target, sizeof target, "dev/%s", nodes[i]);
        path_in(path, sizeof path, root, target);
        int f = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0666);
        if (f < 0) fail(fd, target);
        close(f);
        bind_file(fd, root, source, target, 0);
    }
    path_in(path, sizeof path, root, "dev/pts");
    if (mkdir(path, 0755) < 0 || mount("devpts", path, "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620") < 0) fail(fd, "mount /dev/pts");
    path_in(path, sizeof path, root, "dev/ptmx");
    if (symlink("pts/ptmx", path) < 0) fail(fd, "/dev/ptmx");
    path_in(path, sizeof path, root, "dev/shm");
    char shm_options[64];
    snprintf(shm_options, sizeof shm_options, "mode=1777,size=%llu", shm_size ? shm_size : 65536ULL * 1024);
    if (mkdir(path, 01777) < 0 || mount("shm", path, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, shm_options) < 0) fail(fd, "mount /dev/shm");
    static const char *links[][2] = {{"/proc/self/fd", "dev/fd"}, {"/proc/self/fd/0", "dev/stdin"},
                                     {"/proc/self/fd/1", "dev/stdout"}, {"/proc/self/fd/2", "dev/stderr"}};
    for (size_t i = 0; i < 4; i++) {
        path_in(path, sizeof path, root, links[i][1]);
        if (symlink(links[i][0], path) < 0) fail(fd, links[i][1]);
    }
}

/* Makes `path` (inside the sandbox's /dev tmpfs) and its missing parents: a file, or a directory. */
static void make_under_dev(int fd, char *path, int is_file) {
    char *slash = strrchr(path, '/');
    if (slash) {
        *slash = 0;
        if (mkdir(path, 0755) < 0 && errno != EEXIST) fail(fd, path);
        *slash = '/';
    }
    if (is_file) {
        int f = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
        if (f < 0) fail(fd, path);
        close(f);
    } else if (mkdir(path, 0755) < 0 && errno != EEXIST) {
        fail(fd, path);
    }
}

/* Leaves the command the capabilities runc's default spec gives a container (BuildKit's default
   for RUN): CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, SETGID, SETUID, SETPCAP, NET_BIND_SERVICE,
   NET_RAW, SYS_CHROOT, MKNOD, AUDIT_WRITE, SETFCAP. Dropped from the bounding set, nothing exec'd
   later can regain the rest (no CAP_SYS_ADMIN: no mounts, no new namespaces from inside). */
static void drop_capabilities(int fd) {
    static const unsigned long long kept = 0xa80425fbULL;
    for (int cap = 0; cap < 64; cap++) {
        if (kept & (1ULL << cap)) continue;
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
            if (errno == EINVAL) break;  /* past the kernel's last capability */
            fail(fd, "drop capabilities");
        }
    }
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL) fail(fd, "clear ambient capabilities");
}

#if defined(__x86_64__)
#define HOIST_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define HOIST_AUDIT_ARCH AUDIT_ARCH_AARCH64
#endif

#define DENY(nr, err) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (err))

/* A seccomp filter for what the capability set leaves open. An unprivileged process may still make
   a user namespace (and be root with every capability inside it), use the kernel keyring, which
   knows no namespaces, userfaultfd, perf events and BPF; these fail with EPERM, as under Docker's
   default profile. clone3 gets ENOSYS (its flags are out of a filter's reach), so libc falls back
   to clone, whose flags are checked. Other ABIs of the machine (i386 on x86_64) are not filtered. */
static void install_seccomp(int fd) {
#ifdef HOIST_AUDIT_ARCH
    struct sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, HOIST_AUDIT_ARCH, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
#ifdef __x86_64__
        /* x32 numbers are the x86_64 ones with bit 30 set: refuse them all. */
        BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
#endif
        /* clone and unshare: everything but a new user namespace. */
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone, 1, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_unshare, 0, 4),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_NEWUSER, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        DENY(__NR_clone3, ENOSYS),
        DENY(__NR_keyctl, EPERM),
        DENY(__NR_add_key, EPERM),
        DENY(__NR_request_key, EPERM),
        DENY(__NR_userfaultfd, EPERM),
        DENY(__NR_perf_event_open, EPERM),
        DENY(__NR_bpf, EPERM),
        DENY(__NR_setns, EPERM),
        DENY(__NR_open_by_handle_at, EPERM),
        DENY(__NR_kexec_load, EPERM),
        DENY(__NR_init_module, EPERM),
        DENY(__NR_finit_module, EPERM),
        DENY(__NR_delete_module, EPERM),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog program = { .len = sizeof filter / sizeof filter[0], .filter = filter };
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program, 0, 0) < 0) fail(fd, "install the seccomp filter");
#else
    (void)fd;
#endif
}

/* execve with PATH taken from the command's own environment, not Hoist's. */
static void exec_in_path(int fd, const struct hoist_sandbox *s) {
    const char *file = s->argv[0];
    if (strchr(file, '/')) {
        execve(file, (char *const *)s->argv, (char *const *)s->envp);
        fail(fd, file);
    }
    const char *path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    for (const char *const *e = s->envp; *e; e++) {
        if (strncmp(*e, "PATH=", 5) == 0) { path = *e + 5; break; }
    }
    int saved = ENOENT;
    while (*path) {
        const char *end = strchr(path, ':');
        size_t len = end ? (size_t)(end - path) : strlen(path);
        char candidate[4096];
        snprintf(candidate, sizeof candidate, "%.*s/%s", (int)len, len ? path : ".", file);
        execve(candidate, (char *const *)s->argv, (char *const *)s->envp);
        if (errno != ENOENT && errno != ENOTDIR) saved = errno;
        path = end ? end + 1 : path + len;
    }
    errno = saved;
    fail(fd, file);
}

static void setup_and_exec(const struct hoist_sandbox *s, int fd) {
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) fail(fd, "prctl");
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) fail(fd, "make mounts private");
    if (mount(s->rootfs, s->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0) fail(fd, "bind the root");
    char path[4096];
    path_in(path, sizeof path, s->rootfs, "proc");
    if (mount("proc", path, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) fail(fd, "mount /proc");
    make_dev(fd, s->rootfs, s->shm_size);
    /* /sys read-only, as runc mounts it; a kernel that refuses sysfs here leaves the directory empty. */
    path_in(path, sizeof path, s->rootfs, "sys");
    mount("sysfs", path, "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
    for (size_t i = 0; i < s->nmounts; i++) {
        const struct hoist_mount *m = &s->mounts[i];
        path_in(path, sizeof path, s->rootfs, m->target);
        /* /dev is the sandbox's own tmpfs, so a mount point there (a heredoc script under
           /dev/pipes) is made here; it cannot be a symlink planted by the image. */
        if (strncmp(m->target, "dev/", 4) == 0) {
            struct stat source;
            make_under_dev(fd, path, m->fstype == NULL && stat(m->source, &source) == 0 && !S_ISDIR(source.st_mode));
        }
        if (m->fstype) {
            if (mount(m->fstype, path, m->fstype, MS_NOSUID | MS_NODEV, m->data) < 0) fail(fd, m->target);
        } else {
            if (mount(m->source, path, NULL, MS_BIND | MS_REC, NULL) < 0) fail(fd, m->target);
            if (m->readonly) remount_readonly(fd, path, m->target, 0);
        }
    }
    if (s->hosts_file) bind_file(fd, s->rootfs, s->hosts_file, "etc/hosts", 1);
    if (s->resolv_file) bind_file(fd, s->rootfs, s->resolv_file, "etc/resolv.conf", 1);
    if (s->hostname_file) bind_file(fd, s->rootfs, s->hostname_file, "etc/hostname", 1);
    if (chdir(s->rootfs) < 0) fail(fd, "chdir to the root");
    /* pivot_root(".", ".") stacks the old root under the new one; detaching it leaves only the
       image's tree. Where pivot_root is refused (a rootfs on the initramfs), chroot instead. */
    if (syscall(SYS_pivot_root, ".", ".") == 0) {
        if (umount2(".", MNT_DETACH) < 0) fail(fd, "detach the old root");
    } else if (chroot(".") < 0) {
        fail(fd, "pivot_root and chroot");
    }
    if (chdir("/") < 0) fail(fd, "chdir /");
    if (s->hostname && sethostname(s->hostname, strlen(s->hostname)) < 0) fail(fd, "sethostname");
    if (s->new_network) {
        /* A fresh network namespace has only a downed loopback; bring nothing else up. */
    }
    if (s->cwd && chdir(s->cwd) < 0) fail(fd, "the working directory");
    /* Before capabilities go: raising a hard limit needs CAP_SYS_RESOURCE. */
    for (size_t i = 0; i < s->nrlimits; i++) {
        struct rlimit limit = {.rlim_cur = s->rlimits[i].soft, .rlim_max = s->rlimits[i].hard};
        if (setrlimit(s->rlimits[i].resource, &limit) < 0)
            fail(fd, "--ulimit: the kernel refused a limit (only root raises a hard limit above the current one; nofile stops at fs.nr_open)");
    }
    if (!s->all_capabilities) {
        drop_capabilities(fd);
        /* Installed while CAP_SYS_ADMIN is still effective (it leaves with setuid or exec), so no
           no_new_privs is needed and setuid binaries in the image keep working. */
        install_seccomp(fd);
    }
    /* In a user namespace of Hoist's own, setgroups is denied and there are no other groups. */
    if ((s->ngroups > 0 || !s->in_user_namespace) && setgroups(s->ngroups, s->groups) < 0) fail(fd, "setgroups");
    if (setgid(s->gid) < 0) fail(fd, "setgid");
    if (setuid(s->uid) < 0) fail(fd, "setuid");
    /* Changing ids clears the parent-death signal: set it again, so a RUN as another user still
       dies (and takes its PID namespace with it) when Hoist kills the outer process. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) fail(fd, "prctl");
    umask(022);
    if (s->stdout_fd >= 0 && dup2(s->stdout_fd, 1) < 0) fail(fd, "stdout");
    if (s->stderr_fd >= 0 && dup2(s->stderr_fd, 2) < 0) fail(fd, "stderr");
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) { dup2(devnull, 0); if (devnull > 2) close(devnull); }
    exec_in_path(fd, s);
}

/* Closes every descriptor from 3 up except those in `keep` (at most 3, any order, -1 ignored).
   The outer process never execs, so close-on-exec does not apply to it: without this it would hold
   the write ends of other sandboxes' output pipes (forked at the same time by other stages), and
   their readers would wait for an end of file until this sandbox ends. */
static void close_other_descriptors(int keep0, int keep1, int keep2) {
    int keep[3] = {keep0, keep1, keep2};
    /* sort the three, so the gaps between them can be closed in ranges */
    for (int i = 0; i < 3; i++)
        for (int j = i + 1; j < 3; j++)
            if (keep[j] < keep[i]) { int t = keep[i]; keep[i] = keep[j]; keep[j] = t; }
    unsigned int from = 3;
    for (int i = 0; i < 3; i++) {
        if (keep[i] < (int)from) continue;
        if ((unsigned int)keep[i] > from) syscall(SYS_close_range, from, (unsigned int)keep[i] - 1, 0);
        from = (unsigned int)keep[i] + 1;
    }
    syscall(SYS_close_range, from, ~0U, 0);
}

int hoist_sandbox_run(const struct hoist_sandbox *s, char *error, size_t error_size, volatile pid_t *pid_out) {
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) < 0) {
        snprintf(error, error_size, "pipe: %s", strerror(errno));
        return -1;
    }
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pid_t pid = fork();
    if (pid == 0) {
        close_other_descriptors(pipefd[1], s->stdout_fd, s->stderr_fd);
        /* The child starts with every signal at its default and none blocked. */
        for (int sig = 1; sig < NSIG; sig++) signal(sig, SIG_DFL);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        close(pipefd[0]);
        /* A session of its own: Ctrl-C in hoist's terminal goes to hoist, which cancels the build
           and kills the sandbox. Without it the command got the SIGINT too, died first, and the
           build failed with "exit code: 130" instead of being interrupted. */
        if (setsid() < 0) fail(pipefd[1], "setsid");
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) fail(pipefd[1], "prctl");
        int flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | (s->new_network ? CLONE_NEWNET : 0);
        if (unshare(flags) < 0) fail(pipefd[1], "unshare (new namespaces need root or CAP_SYS_ADMIN)");
        pid_t init = fork();
        if (init < 0) fail(pipefd[1], "fork");
        if (init == 0) setup_and_exec(s, pipefd[1]);
        close(pipefd[1]);
        int status;
        while (waitpid(init, &status, 0) < 0) {
            if (errno != EINTR) _exit(127);
        }
        _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (pid < 0) {
        snprintf(error, error_size, "fork: %s", strerror(errno));
        close(pipefd[0]);
        close(pipefd[1]);
        return -1;
    }
    if (pid_out) *pid_out = pid;
    close(pipefd[1]);
    char message[512];
    ssize_t n;
    size_t got = 0;
    while ((n = read(pipefd[0], message + got, sizeof message - 1 - got)) != 0) {
        if (n < 0) { if (errno == EINTR) continue; break; }
        got += (size_t)n;
        if (got >= sizeof message - 1) break;
    }
    close(pipefd[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) { snprintf(error, error_size, "waitpid: %s", strerror(errno)); return -1; }
    }
    if (got > 0) {
        message[got] = 0;
        snprintf(error, error_size, "%s", message);
        return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
