#ifndef HOIST_USERNS_H
#define HOIST_USERNS_H

/// Set before main when HOIST_USERNS=1 asked a non-root hoist to enter a user namespace of its own
/// (uid and gid mapped to root, nothing else) with a private mount namespace. Entering must happen
/// while the process has one thread, so it is done in a constructor, before Swift starts any.
/// 1 once entered; 0 when not asked (or already root); -errno when the kernel refused.
int hoist_userns_state(void);

#endif
