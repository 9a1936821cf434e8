/* Mappings, copies and error text shared by every kind of segment. */
#include "jshm.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

size_t jshm_page_size(void)
{
    long ps = sysconf(_SC_PAGESIZE);
    return ps > 0 ? (size_t)ps : 4096;
}

int jshm_retire(void *addr, size_t len)
{
    /* MAP_FIXED replaces the old mapping atomically: there is no instant at which the range is
     * unmapped and another mmap in this process could take it. MAP_NORESERVE: the pages are
     * only ever touched by late accesses that raced close. */
    void *p = mmap(addr, len, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return -errno;
    return p == addr ? 0 : -EFAULT;
}

int jshm_unmap(void *addr, size_t len)
{
    return munmap(addr, len) < 0 ? -errno : 0;
}

int jshm_copy_out(const void *base, size_t size, size_t offset, void *dst, size_t len)
{
    if (!JSHM_RANGE_OK(offset, len, size))
        return -ERANGE;
    memcpy(dst, (const char *)base + offset, len);
    return 0;
}

int jshm_copy_in(void *base, size_t size, size_t offset, const void *src, size_t len)
{
    if (!JSHM_RANGE_OK(offset, len, size))
        return -ERANGE;
    memcpy((char *)base + offset, src, len);
    return 0;
}

int jshm_fill(void *base, size_t size, size_t offset, size_t len, unsigned char value)
{
    if (!JSHM_RANGE_OK(offset, len, size))
        return -ERANGE;
    memset((char *)base + offset, value, len);
    return 0;
}

int64_t jshm_index_of(const void *base, size_t size, size_t offset, size_t len,
                      unsigned char value)
{
    if (!JSHM_RANGE_OK(offset, len, size))
        return -ERANGE;
    const char *start = (const char *)base;
    const char *hit = memchr(start + offset, value, len);
    return hit == NULL ? -1 : (int64_t)(hit - start);
}

const char *jshm_errno_name(int err)
{
    switch (err) {
#define JSHM_ERRNO(e) case e: return #e;
    JSHM_ERRNO(EPERM) JSHM_ERRNO(ENOENT) JSHM_ERRNO(ESRCH) JSHM_ERRNO(EINTR)
    JSHM_ERRNO(EIO) JSHM_ERRNO(ENXIO) JSHM_ERRNO(E2BIG) JSHM_ERRNO(EBADF)
    JSHM_ERRNO(EAGAIN) JSHM_ERRNO(ENOMEM) JSHM_ERRNO(EACCES) JSHM_ERRNO(EFAULT)
    JSHM_ERRNO(EBUSY) JSHM_ERRNO(EEXIST) JSHM_ERRNO(EXDEV) JSHM_ERRNO(ENODEV)
    JSHM_ERRNO(ENOTDIR) JSHM_ERRNO(EISDIR) JSHM_ERRNO(EINVAL) JSHM_ERRNO(ENFILE)
    JSHM_ERRNO(EMFILE) JSHM_ERRNO(ETXTBSY) JSHM_ERRNO(EFBIG) JSHM_ERRNO(ENOSPC)
    JSHM_ERRNO(ESPIPE) JSHM_ERRNO(EROFS) JSHM_ERRNO(EMLINK) JSHM_ERRNO(ERANGE)
    JSHM_ERRNO(EDEADLK) JSHM_ERRNO(ENAMETOOLONG) JSHM_ERRNO(ENOSYS)
    JSHM_ERRNO(ENOTEMPTY) JSHM_ERRNO(ELOOP) JSHM_ERRNO(EIDRM) JSHM_ERRNO(EOVERFLOW)
    JSHM_ERRNO(EOPNOTSUPP) JSHM_ERRNO(ETIMEDOUT) JSHM_ERRNO(EOWNERDEAD)
    JSHM_ERRNO(ENOTRECOVERABLE) JSHM_ERRNO(ENOTTY) JSHM_ERRNO(ENOLCK) JSHM_ERRNO(EUCLEAN)
#undef JSHM_ERRNO
    default:
        return NULL;
    }
}

void jshm_strerror(int err, char *buf, size_t len)
{
    if (len == 0)
        return;
#if defined(__GLIBC__)
    /* The GNU strerror_r may return a static string instead of filling buf. */
    const char *s = strerror_r(err, buf, len);
    if (s != buf) {
        strncpy(buf, s, len - 1);
        buf[len - 1] = '\0';
    }
#else
    /* Other C libraries (musl) have only the XSI strerror_r, which fills buf or fails. */
    if (strerror_r(err, buf, len) != 0)
        snprintf(buf, len, "errno %d", err);
#endif
}
