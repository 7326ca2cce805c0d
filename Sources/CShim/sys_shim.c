#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include "CShim.h"

int cshim_set_lease(int fd, int type) {
    return fcntl(fd, F_SETLEASE, type);
}

int cshim_pipe2(int fds[2], int flags) {
    return pipe2(fds, flags);
}

int cshim_rename_noreplace(const char *from, const char *to) {
    return renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE);
}

#include <malloc.h>

int cshim_malloc_trim(size_t pad) {
    return malloc_trim(pad);
}

#include <pthread.h>

int cshim_name_current_thread(const char *name) {
    return pthread_setname_np(pthread_self(), name);
}
