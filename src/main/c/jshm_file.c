/* POSIX shared memory objects and mapped files: open (never through a symlink), grow, map. */
#include "jshm.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define JSHM_SHM_DIR "/dev/shm"

/* The raw fstat (see jshm_file_stat) of any descriptor, O_PATH ones included. */
static int file_type(int fd, mode_t *type)
{
    struct stat s;
    if (syscall(SYS_fstat, fd, &s) < 0)
        return -errno;
    *type = s.st_mode & S_IFMT;
    return 0;
}

int jshm_file_open(const char *path, int flags, unsigned int mode)
{
    /* Only regular files are mapped. Opening anything else can block (a FIFO waits for a
     * writer), or act (a device): look at what the name is first, through an O_PATH descriptor,
     * which opens nothing. */
    int exclusive_create = (flags & JSHM_FILE_CREATE) && (flags & JSHM_FILE_EXCL);
    /* An exclusive create opens nothing that exists (EEXIST): no look needed. */
    if (!exclusive_create) {
        int probe;
        do {
            probe = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        } while (probe < 0 && errno == EINTR);
        if (probe >= 0) {
            mode_t type = 0;
            int rc = file_type(probe, &type);
            close(probe);
            if (rc < 0)
                return rc;
            /* O_PATH | O_NOFOLLOW opens a symbolic link itself: answer what open does for it. */
            if (type == S_IFLNK)
                return -ELOOP;
            if (type != S_IFREG)
                return -ENODEV;
        } else if (errno != ENOENT && errno != EACCES) {
            /* ENOENT (the open below may create it) and EACCES: the open below answers. */
            return -errno;
        }
    }
    /* O_NONBLOCK: should the name have been replaced by a FIFO since the look, the open still
     * cannot block; the caller's fstat refuses what is not a regular file. For a regular file it
     * changes nothing (but a conflicting lease fails at once instead of waiting). */
    int oflags = O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK;
    if ((flags & JSHM_FILE_READONLY) && (flags & JSHM_FILE_WRITEONLY))
        return -EINVAL;
    oflags |= (flags & JSHM_FILE_READONLY) ? O_RDONLY : (flags & JSHM_FILE_WRITEONLY) ? O_WRONLY : O_RDWR;
    if (flags & JSHM_FILE_CREATE)
        oflags |= O_CREAT;
    if (flags & JSHM_FILE_EXCL)
        oflags |= O_EXCL;
    int fd;
    do {
        fd = open(path, oflags, (mode_t)(mode & 0777));
    } while (fd < 0 && errno == EINTR);
    return fd < 0 ? -errno : fd;
}

int jshm_file_stat(int fd, struct jshm_file_stat *st)
{
    /* The raw system call: glibc 2.33+ exports fstat under a new symbol version, which would
     * raise the library's glibc floor. The kernel's struct stat is the one glibc uses on x86_64
     * and aarch64. */
    struct stat s;
    if (syscall(SYS_fstat, fd, &s) < 0)
        return -errno;
    st->size = (int64_t)s.st_size;
    st->mode = (int64_t)s.st_mode;
    st->uid = (int64_t)s.st_uid;
    st->gid = (int64_t)s.st_gid;
    st->dev = (int64_t)s.st_dev;
    st->ino = (int64_t)s.st_ino;
    st->nlink = (int64_t)s.st_nlink;
    st->mtime = (int64_t)s.st_mtime;
    return 0;
}

int jshm_file_grow(int fd, size_t size, int flags)
{
    int rc;
    int64_t current = 0;
    if (size > (size_t)INT64_MAX)
        return -EFBIG;
    if (!(flags & JSHM_GROW_NEW)) {
        struct jshm_file_stat st;
        rc = jshm_file_stat(fd, &st);
        if (rc < 0)
            return rc;
        current = st.size;
    }
    if (flags & JSHM_GROW_RESERVE) {
        /* posix_fallocate sets the new size itself, and only once every block is allocated: no
         * ftruncate first, which would leave a larger object without its blocks (a SIGBUS for
         * whoever touches them) when the allocation fails. It returns the error instead of
         * setting errno. */
        do {
            rc = posix_fallocate(fd, 0, (off_t)size);
        } while (rc == EINTR);
        if (rc != 0) {
            /* All or nothing, also where posix_fallocate is emulated by writes that may have
             * grown the file part of the way. */
            struct jshm_file_stat now;
            if (jshm_file_stat(fd, &now) == 0 && now.size > current) {
                while (ftruncate(fd, (off_t)current) < 0 && errno == EINTR) {
                }
            }
            return -rc;
        }
        return 0;
    }
    if ((uint64_t)current < size) {
        do {
            rc = ftruncate(fd, (off_t)size);
        } while (rc < 0 && errno == EINTR);
        if (rc < 0)
            return -errno;
    }
    return 0;
}

int jshm_map(int fd, size_t offset, size_t len, int flags, void **addr)
{
    if (len == 0 || offset % jshm_page_size() != 0 || offset > (size_t)INT64_MAX)
        return -EINVAL;
    int prot = (flags & JSHM_MAP_READONLY) ? PROT_READ : PROT_READ | PROT_WRITE;
    int mflags = (flags & JSHM_MAP_PRIVATE) ? MAP_PRIVATE : MAP_SHARED;
    if (flags & JSHM_MAP_POPULATE)
        mflags |= MAP_POPULATE;
    void *p = mmap(NULL, len, prot, mflags, fd, (off_t)offset);
    if (p == MAP_FAILED)
        return -errno;
    *addr = p;
    return 0;
}

int jshm_sync(void *addr, size_t len, int async)
{
    return msync(addr, len, async ? MS_ASYNC : MS_SYNC) < 0 ? -errno : 0;
}

int jshm_lock_pages(void *addr, size_t len, int lock)
{
    int rc = lock ? mlock(addr, len) : munlock(addr, len);
    return rc < 0 ? -errno : 0;
}

int jshm_close_fd(int fd)
{
    /* Linux releases the descriptor even when close reports EINTR: never retry. */
    return close(fd) < 0 && errno != EINTR ? -errno : 0;
}

int jshm_unlink(const char *path)
{
    return unlink(path) < 0 ? -errno : 0;
}

int jshm_posix_path(const char *name, char *path, size_t path_len)
{
    size_t n = strnlen(name, NAME_MAX + 2);
    if (n < 2 || name[0] != '/' || n > NAME_MAX + 1)
        return -EINVAL;
    if (strchr(name + 1, '/') != NULL || strcmp(name, "/.") == 0 || strcmp(name, "/..") == 0)
        return -EINVAL;
    if (sizeof(JSHM_SHM_DIR) + n > path_len)
        return -ENAMETOOLONG;
    memcpy(path, JSHM_SHM_DIR, sizeof(JSHM_SHM_DIR) - 1);
    memcpy(path + sizeof(JSHM_SHM_DIR) - 1, name, n + 1);
    return 0;
}

int jshm_posix_open(const char *name, int flags, unsigned int mode)
{
    char path[sizeof(JSHM_SHM_DIR) + NAME_MAX + 2];
    int rc = jshm_posix_path(name, path, sizeof path);
    return rc < 0 ? rc : jshm_file_open(path, flags, mode);
}

int jshm_posix_unlink(const char *name)
{
    char path[sizeof(JSHM_SHM_DIR) + NAME_MAX + 2];
    int rc = jshm_posix_path(name, path, sizeof path);
    return rc < 0 ? rc : jshm_unlink(path);
}
