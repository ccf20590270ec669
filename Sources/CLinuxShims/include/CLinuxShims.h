#ifndef CLINUXSHIMS_H
#define CLINUXSHIMS_H
// Headers that Swift's Glibc module does not export. Header-only; do NOT define _GNU_SOURCE here
// (it breaks fd_set against SwiftGlibc), so accept4 is declared by hand.
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <sys/signalfd.h>
#include <sys/types.h>
struct sockaddr;
#include <signal.h>
#include <spawn.h>

extern int accept4(int sockfd, struct sockaddr *addr, unsigned int *addrlen, int flags);

_Static_assert(sizeof(struct epoll_event) == 12, "packed epoll_event expected on x86_64");

static inline int clinux_sigmask_block_term_int(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    return pthread_sigmask(SIG_BLOCK, &set, 0);
}

static inline int clinux_signalfd_term_int(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

/// posix_spawn attributes that give the child an empty signal mask and default dispositions,
/// so a child started from a thread with blocked signals still dies on SIGTERM.
static inline int clinux_spawnattr_reset_signals(posix_spawnattr_t *attr) {
    sigset_t empty, all;
    sigemptyset(&empty);
    sigfillset(&all);
    int rc = posix_spawnattr_setsigmask(attr, &empty);
    if (rc != 0) return rc;
    rc = posix_spawnattr_setsigdefault(attr, &all);
    if (rc != 0) return rc;
    return posix_spawnattr_setflags(attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
}
#endif
