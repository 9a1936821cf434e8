/* System V shared memory: the lifecycle of the seed, shmget -> shmat -> shmdt -> shmctl. */
#include "jshm.h"

#include <errno.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#ifndef SHM_NORESERVE
#define SHM_NORESERVE 010000
#endif
#ifndef SHM_HUGETLB
#define SHM_HUGETLB 04000
#endif

int jshm_sysv_create(key_t key, size_t size, unsigned int mode, int flags)
{
    int shmflg = IPC_CREAT | (int)(mode & 0777);
    if (flags & JSHM_SYSV_EXCL)
        shmflg |= IPC_EXCL;
    if (flags & JSHM_SYSV_HUGETLB)
        shmflg |= SHM_HUGETLB;
    if (flags & JSHM_SYSV_NORESERVE)
        shmflg |= SHM_NORESERVE;
    int id = shmget(key, size, shmflg);
    return id < 0 ? -errno : id;
}

int jshm_sysv_open(key_t key, size_t min_size)
{
    int id = shmget(key, min_size, 0);
    return id < 0 ? -errno : id;
}

int jshm_sysv_ftok(const char *path, int proj_id, key_t *key)
{
    /* ftok uses only the low 8 bits, and 0 there gives keys that collide across projects. */
    if ((proj_id & 0xff) == 0)
        return -EINVAL;
    errno = 0;
    key_t k = ftok(path, proj_id);
    if (k == (key_t)-1 && errno != 0)
        return -errno;
    *key = k;
    return 0;
}

int jshm_sysv_attach(int shmid, int read_only, void **addr)
{
    void *p = shmat(shmid, NULL, read_only ? SHM_RDONLY : 0);
    if (p == (void *)-1)
        return -errno;
    *addr = p;
    return 0;
}

int jshm_sysv_detach(const void *addr)
{
    return shmdt(addr) < 0 ? -errno : 0;
}

int jshm_sysv_remove(int shmid)
{
    return shmctl(shmid, IPC_RMID, NULL) < 0 ? -errno : 0;
}

int jshm_sysv_stat(int shmid, struct jshm_sysv_stat *st)
{
    struct shmid_ds ds;
    if (shmctl(shmid, IPC_STAT, &ds) < 0)
        return -errno;
    st->key = (int64_t)ds.shm_perm.__key;
    st->size = (int64_t)ds.shm_segsz;
    st->mode = (int64_t)ds.shm_perm.mode;
    st->uid = (int64_t)ds.shm_perm.uid;
    st->gid = (int64_t)ds.shm_perm.gid;
    st->cuid = (int64_t)ds.shm_perm.cuid;
    st->cgid = (int64_t)ds.shm_perm.cgid;
    st->cpid = (int64_t)ds.shm_cpid;
    st->lpid = (int64_t)ds.shm_lpid;
    st->nattch = (int64_t)ds.shm_nattch;
    st->atime = (int64_t)ds.shm_atime;
    st->dtime = (int64_t)ds.shm_dtime;
    st->ctime = (int64_t)ds.shm_ctime;
    return 0;
}

int jshm_sysv_set(int shmid, int64_t uid, int64_t gid, int64_t mode)
{
    struct shmid_ds ds;
    /* IPC_SET writes uid, gid and mode together: read the current ones to keep what the
     * caller leaves alone. */
    if (shmctl(shmid, IPC_STAT, &ds) < 0)
        return -errno;
    if (uid >= 0)
        ds.shm_perm.uid = (uid_t)uid;
    if (gid >= 0)
        ds.shm_perm.gid = (gid_t)gid;
    if (mode >= 0)
        ds.shm_perm.mode = (unsigned short)(mode & 0777);
    return shmctl(shmid, IPC_SET, &ds) < 0 ? -errno : 0;
}

int jshm_sysv_lock(int shmid, int lock)
{
    return shmctl(shmid, lock ? SHM_LOCK : SHM_UNLOCK, NULL) < 0 ? -errno : 0;
}
