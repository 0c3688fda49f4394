#ifndef HOIST_USERNS_H
#define HOIST_USERNS_H

/// Set before main when HOIST_USERNS=1 asked a non-root hoist to enter a user namespace of its own
/// with a private mount namespace: the caller's uid and gid are root there, and, when /etc/subuid
/// and /etc/subgid give the caller ranges, ids 1 and up are those ranges (mapped by newuidmap and
/// newgidmap, from Debian's uidmap). Entering must happen while the process has one thread, so it
/// is done in a constructor, before Swift starts any.
/// 1 once entered; 0 when not asked (or already root); -errno when the kernel refused.
int hoist_userns_state(void);

/// No subordinate ranges are configured for the caller.
#define HOIST_SUBIDS_NONE 0
/// The caller's ranges are mapped.
#define HOIST_SUBIDS_MAPPED 1
/// Ranges are configured, but newuidmap/newgidmap are missing or refused them.
#define HOIST_SUBIDS_FAILED -1

/// What became of the caller's subordinate id ranges: one of HOIST_SUBIDS_*.
int hoist_userns_subids(void);

/// The uid that started hoist, outside the namespace (valid once hoist_userns_state() is 1).
unsigned hoist_userns_caller(void);

#endif
