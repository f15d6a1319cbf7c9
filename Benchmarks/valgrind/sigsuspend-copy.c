// Preloaded into the server that scripts/bench runs under valgrind (the callgrind scenario).
//
// An async `main` on Linux parks the main thread in libdispatch's `dispatch_main`, which calls
// `sigsuspend` with a `static const sigset_t`: a mask in read-only memory. valgrind edits the mask
// it is given (it removes its own signals) and dies writing to that page ("the 'impossible'
// happened", SIGSEGV inside valgrind) before the server answers a request. This `sigsuspend`
// hands the kernel a writable copy of the same mask; nothing else changes.
#define _GNU_SOURCE
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

int sigsuspend(const sigset_t *mask) {
    sigset_t copy = *mask;
    return (int)syscall(SYS_rt_sigsuspend, &copy, _NSIG / 8);
}
