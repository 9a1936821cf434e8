/*
 * JNI glue: converts Java arguments, calls the core (jshm.h) and hands back its result.
 * No logic lives here. Every native returns what the core returns (>= 0 or -errno) and Java
 * turns negative values into exceptions; the only exceptions thrown from C are the JVM's own
 * (out of memory, array bounds from the array region calls).
 *
 * The natives are static functions bound to dev.jshm.Native by RegisterNatives in JNI_OnLoad;
 * everything but JNI_OnLoad is hidden (-fvisibility=hidden).
 */
#include "jshm.h"

#include <errno.h>
#include <jni.h>
#include <limits.h>
#include <stdint.h>
#include <unistd.h>

#define JSHM_NATIVE_CLASS "dev/jshm/Native"
#define JSHM_EXPORT __attribute__((visibility("default")))

static inline void *to_ptr(jlong address)
{
    return (void *)(uintptr_t)address;
}

static inline jlong from_ptr(const void *p)
{
    return (jlong)(uintptr_t)p;
}

/* Java sizes are non-negative longs (checked in Java); refuse anything else here too. */
#define JSHM_SIZE_OK(v) ((v) >= 0)

/* ---- registered natives: begin ---- */

static jint jshm_jni_sysvCreate(JNIEnv *env, jclass clazz, jint key, jlong size, jint mode,
                                jint flags)
{
    (void)env; (void)clazz;
    if (!JSHM_SIZE_OK(size))
        return -EINVAL;
    return jshm_sysv_create((key_t)key, (size_t)size, (unsigned int)mode, flags);
}

static jint jshm_jni_sysvOpen(JNIEnv *env, jclass clazz, jint key, jlong minSize)
{
    (void)env; (void)clazz;
    if (!JSHM_SIZE_OK(minSize))
        return -EINVAL;
    return jshm_sysv_open((key_t)key, (size_t)minSize);
}

/* Returns the key as a non-negative long (keys may use all 32 bits) or -errno. */
static jlong jshm_jni_sysvFtok(JNIEnv *env, jclass clazz, jbyteArray path, jint projId)
{
    (void)clazz;
    /* The path arrives as NUL-terminated bytes in the JVM's file name encoding (Java refuses
     * embedded NULs), so no modified-UTF-8 conversion is involved. */
    jbyte *bytes = (*env)->GetByteArrayElements(env, path, NULL);
    if (bytes == NULL)
        return -ENOMEM;
    key_t key = 0;
    int rc = jshm_sysv_ftok((const char *)bytes, projId, &key);
    (*env)->ReleaseByteArrayElements(env, path, bytes, JNI_ABORT);
    return rc < 0 ? rc : (jlong)(uint32_t)key;
}

static jlong jshm_jni_sysvAttach(JNIEnv *env, jclass clazz, jint shmid, jboolean readOnly)
{
    (void)env; (void)clazz;
    void *addr = NULL;
    int rc = jshm_sysv_attach(shmid, readOnly == JNI_TRUE, &addr);
    return rc < 0 ? rc : from_ptr(addr);
}

static jint jshm_jni_sysvDetach(JNIEnv *env, jclass clazz, jlong address)
{
    (void)env; (void)clazz;
    return jshm_sysv_detach(to_ptr(address));
}

static jint jshm_jni_sysvRemove(JNIEnv *env, jclass clazz, jint shmid)
{
    (void)env; (void)clazz;
    return jshm_sysv_remove(shmid);
}

/* Fills out[0..12] in the order of struct jshm_sysv_stat. */
static jint jshm_jni_sysvStat(JNIEnv *env, jclass clazz, jint shmid, jlongArray out)
{
    (void)clazz;
    struct jshm_sysv_stat st;
    int rc = jshm_sysv_stat(shmid, &st);
    if (rc < 0)
        return rc;
    jlong values[] = {st.key, st.size, st.mode, st.uid, st.gid, st.cuid, st.cgid,
                      st.cpid, st.lpid, st.nattch, st.atime, st.dtime, st.ctime};
    jsize n = (jsize)(sizeof(values) / sizeof(values[0]));
    if ((*env)->GetArrayLength(env, out) < n)
        return -EINVAL;
    (*env)->SetLongArrayRegion(env, out, 0, n, values);
    return 0;
}

static jint jshm_jni_sysvSet(JNIEnv *env, jclass clazz, jint shmid, jlong uid, jlong gid,
                             jlong mode)
{
    (void)env; (void)clazz;
    return jshm_sysv_set(shmid, uid, gid, mode);
}

static jint jshm_jni_sysvLock(JNIEnv *env, jclass clazz, jint shmid, jboolean lock)
{
    (void)env; (void)clazz;
    return jshm_sysv_lock(shmid, lock == JNI_TRUE);
}

static jlong jshm_jni_pageSize(JNIEnv *env, jclass clazz)
{
    (void)env; (void)clazz;
    return (jlong)jshm_page_size();
}

static jint jshm_jni_retire(JNIEnv *env, jclass clazz, jlong address, jlong length)
{
    (void)env; (void)clazz;
    if (!JSHM_SIZE_OK(length))
        return -EINVAL;
    return jshm_retire(to_ptr(address), (size_t)length);
}

static jint jshm_jni_unmap(JNIEnv *env, jclass clazz, jlong address, jlong length)
{
    (void)env; (void)clazz;
    if (!JSHM_SIZE_OK(length))
        return -EINVAL;
    return jshm_unmap(to_ptr(address), (size_t)length);
}

static jobject jshm_jni_newDirectBuffer(JNIEnv *env, jclass clazz, jlong address,
                                        jint capacity)
{
    (void)clazz;
    if (capacity < 0)
        return NULL;
    return (*env)->NewDirectByteBuffer(env, to_ptr(address), (jlong)capacity);
}

static jint jshm_jni_faultRegister(JNIEnv *env, jclass clazz, jlong base, jlong length,
                                   jlong origin, jboolean readOnly)
{
    (void)env; (void)clazz;
    if (!JSHM_SIZE_OK(length))
        return -EINVAL;
    return jshm_fault_register(to_ptr(base), (size_t)length, to_ptr(origin), readOnly == JNI_TRUE);
}

/* A buffer over every slot's fault word, slot i's at byte 8 * i, then the replacement count. */
static jobject jshm_jni_faultWords(JNIEnv *env, jclass clazz)
{
    (void)clazz;
    return (*env)->NewDirectByteBuffer(env, jshm_fault_words(),
                                       (jlong)((JSHM_FAULT_REPLACEMENTS + 1) * sizeof(int64_t)));
}

static jint jshm_jni_faultUnregister(JNIEnv *env, jclass clazz, jint slot)
{
    (void)env; (void)clazz;
    return jshm_fault_unregister(slot);
}

/* The array region calls check the array side and throw ArrayIndexOutOfBoundsException;
 * the memory side is checked by the core. Java has checked both before the call. */
static jint jshm_jni_copyToArray(JNIEnv *env, jclass clazz, jlong base, jlong size,
                                 jlong offset, jbyteArray dst, jint dstOffset, jint length)
{
    (void)clazz;
    if (!JSHM_SIZE_OK(size) || !JSHM_SIZE_OK(offset) || length < 0
        || !JSHM_RANGE_OK(offset, length, size))
        return -ERANGE;
    (*env)->SetByteArrayRegion(env, dst, dstOffset, length,
                               (const jbyte *)to_ptr(base) + offset);
    return 0;
}

static jint jshm_jni_copyFromArray(JNIEnv *env, jclass clazz, jlong base, jlong size,
                                   jlong offset, jbyteArray src, jint srcOffset, jint length)
{
    (void)clazz;
    if (!JSHM_SIZE_OK(size) || !JSHM_SIZE_OK(offset) || length < 0
        || !JSHM_RANGE_OK(offset, length, size))
        return -ERANGE;
    (*env)->GetByteArrayRegion(env, src, srcOffset, length, (jbyte *)to_ptr(base) + offset);
    return 0;
}

static jint jshm_jni_fill(JNIEnv *env, jclass clazz, jlong base, jlong size, jlong offset,
                          jlong length, jbyte value)
{
    (void)env; (void)clazz;
    if (!JSHM_SIZE_OK(size) || !JSHM_SIZE_OK(offset) || !JSHM_SIZE_OK(length))
        return -ERANGE;
    return jshm_fill(to_ptr(base), (size_t)size, (size_t)offset, (size_t)length,
                     (unsigned char)value);
}

static jlong jshm_jni_indexOf(JNIEnv *env, jclass clazz, jlong base, jlong size, jlong offset,
                              jlong length, jbyte value)
{
    (void)env; (void)clazz;
    if (!JSHM_SIZE_OK(size) || !JSHM_SIZE_OK(offset) || !JSHM_SIZE_OK(length))
        return -ERANGE;
    return jshm_index_of(to_ptr(base), (size_t)size, (size_t)offset, (size_t)length,
                         (unsigned char)value);
}

static jstring jshm_jni_errnoName(JNIEnv *env, jclass clazz, jint err)
{
    (void)clazz;
    const char *name = jshm_errno_name(err);
    return name == NULL ? NULL : (*env)->NewStringUTF(env, name);
}

static jstring jshm_jni_strerror(JNIEnv *env, jclass clazz, jint err)
{
    (void)clazz;
    char buf[256];
    jshm_strerror(err, buf, sizeof(buf));
    return (*env)->NewStringUTF(env, buf);
}

/* Paths and names arrive as NUL-terminated bytes in the JVM's file name encoding (Java refuses
 * embedded NULs), so no modified-UTF-8 conversion is involved. */
static jint with_path(JNIEnv *env, jbyteArray path, int (*fn)(const char *, int, unsigned int),
                      int flags, unsigned int mode)
{
    jbyte *bytes = (*env)->GetByteArrayElements(env, path, NULL);
    if (bytes == NULL)
        return -ENOMEM;
    jsize n = (*env)->GetArrayLength(env, path);
    int rc = (n > 0 && bytes[n - 1] == 0) ? fn((const char *)bytes, flags, mode) : -EINVAL;
    (*env)->ReleaseByteArrayElements(env, path, bytes, JNI_ABORT);
    return rc;
}

static int unlink_adapter(const char *path, int flags, unsigned int mode)
{
    (void)flags; (void)mode;
    return jshm_unlink(path);
}

static int posix_unlink_adapter(const char *name, int flags, unsigned int mode)
{
    (void)flags; (void)mode;
    return jshm_posix_unlink(name);
}

static jint jshm_jni_fileOpen(JNIEnv *env, jclass clazz, jbyteArray path, jint flags, jint mode)
{
    (void)clazz;
    return with_path(env, path, jshm_file_open, flags, (unsigned int)mode);
}

static jint jshm_jni_posixOpen(JNIEnv *env, jclass clazz, jbyteArray name, jint flags, jint mode)
{
    (void)clazz;
    return with_path(env, name, jshm_posix_open, flags, (unsigned int)mode);
}

static jint jshm_jni_unlink(JNIEnv *env, jclass clazz, jbyteArray path)
{
    (void)clazz;
    return with_path(env, path, unlink_adapter, 0, 0);
}

static jint jshm_jni_posixUnlink(JNIEnv *env, jclass clazz, jbyteArray name)
{
    (void)clazz;
    return with_path(env, name, posix_unlink_adapter, 0, 0);
}

/* Fills out[0..7] in the order of struct jshm_file_stat. */
static jint jshm_jni_fileStat(JNIEnv *env, jclass clazz, jint fd, jlongArray out)
{
    (void)clazz;
    struct jshm_file_stat st;
    int rc = jshm_file_stat(fd, &st);
    if (rc < 0)
        return rc;
    jlong values[] = {st.size, st.mode, st.uid, st.gid, st.dev, st.ino, st.nlink, st.mtime};
    jsize n = (jsize)(sizeof(values) / sizeof(values[0]));
    if ((*env)->GetArrayLength(env, out) < n)
        return -EINVAL;
    (*env)->SetLongArrayRegion(env, out, 0, n, values);
    return 0;
}

static jint jshm_jni_fileGrow(JNIEnv *env, jclass clazz, jint fd, jlong size, jint flags)
{
    (void)env; (void)clazz;
    if (!JSHM_SIZE_OK(size))
        return -EINVAL;
    return jshm_file_grow(fd, (size_t)size, flags);
}

static jlong jshm_jni_map(JNIEnv *env, jclass clazz, jint fd, jlong offset, jlong length,
                          jint flags)
{
    (void)env; (void)clazz;
    if (!JSHM_SIZE_OK(offset) || !JSHM_SIZE_OK(length))
        return -EINVAL;
    void *addr = NULL;
    int rc = jshm_map(fd, (size_t)offset, (size_t)length, flags, &addr);
    return rc < 0 ? rc : from_ptr(addr);
}

static jint jshm_jni_sync(JNIEnv *env, jclass clazz, jlong address, jlong length,
                          jboolean async)
{
    (void)env; (void)clazz;
    if (!JSHM_SIZE_OK(length))
        return -EINVAL;
    return jshm_sync(to_ptr(address), (size_t)length, async == JNI_TRUE);
}

static jint jshm_jni_lockPages(JNIEnv *env, jclass clazz, jlong address, jlong length,
                               jboolean lock)
{
    (void)env; (void)clazz;
    if (!JSHM_SIZE_OK(length))
        return -EINVAL;
    return jshm_lock_pages(to_ptr(address), (size_t)length, lock == JNI_TRUE);
}

static jlong jshm_jni_geteuid(JNIEnv *env, jclass clazz)
{
    (void)env; (void)clazz;
    return (jlong)geteuid();
}

static jint jshm_jni_closeFd(JNIEnv *env, jclass clazz, jint fd)
{
    (void)env; (void)clazz;
    return jshm_close_fd(fd);
}

/* ---- coordination (jshm_sync.c, jshm_lock.c): begin ---- */

/* Every value is a valid result of an atomic, so the atomics cannot hand back -errno in band.
 * Java checks range, alignment and lifecycle before each call; should the core's own check
 * still refuse (a bug in jshm's Java code), the glue throws a java.lang exception instead of
 * touching memory, and the value returned is ignored. */
static void jshm_jni_throwAtomic(JNIEnv *env, int rc)
{
    const char *name = rc == -EINVAL ? "java/lang/IllegalArgumentException"
                                     : "java/lang/IndexOutOfBoundsException";
    const char *message = rc == -EINVAL ? "misaligned atomic access refused by the C core"
                                        : "atomic access outside the segment refused by the C core";
    jclass clazz = (*env)->FindClass(env, name);
    if (clazz != NULL)
        (*env)->ThrowNew(env, clazz, message);
}

#define JSHM_ATOMIC_ARGS_OK(size, offset) (JSHM_SIZE_OK(size) && JSHM_SIZE_OK(offset))

#define JSHM_JNI_ATOMICS(Name, suffix, jtype, ctype)                                             \
    static jtype jshm_jni_atomicGet##Name##Volatile(JNIEnv *env, jclass clazz, jlong base,       \
                                                     jlong size, jlong offset)                   \
    {                                                                                            \
        (void)clazz;                                                                             \
        ctype value = 0;                                                                         \
        int rc = JSHM_ATOMIC_ARGS_OK(size, offset)                                               \
            ? jshm_atomic_load_##suffix(to_ptr(base), (size_t)size, (size_t)offset, &value)     \
            : -ERANGE;                                                                           \
        if (rc < 0)                                                                              \
            jshm_jni_throwAtomic(env, rc);                                                       \
        return (jtype)value;                                                                     \
    }                                                                                            \
    static jtype jshm_jni_atomicGet##Name##Acquire(JNIEnv *env, jclass clazz, jlong base,        \
                                                    jlong size, jlong offset)                    \
    {                                                                                            \
        (void)clazz;                                                                             \
        ctype value = 0;                                                                         \
        int rc = JSHM_ATOMIC_ARGS_OK(size, offset)                                               \
            ? jshm_atomic_load_acquire_##suffix(to_ptr(base), (size_t)size, (size_t)offset,     \
                                                &value)                                          \
            : -ERANGE;                                                                           \
        if (rc < 0)                                                                              \
            jshm_jni_throwAtomic(env, rc);                                                       \
        return (jtype)value;                                                                     \
    }                                                                                            \
    static void jshm_jni_atomicPut##Name##Volatile(JNIEnv *env, jclass clazz, jlong base,        \
                                                   jlong size, jlong offset, jtype value)        \
    {                                                                                            \
        (void)clazz;                                                                             \
        int rc = JSHM_ATOMIC_ARGS_OK(size, offset)                                               \
            ? jshm_atomic_store_##suffix(to_ptr(base), (size_t)size, (size_t)offset,            \
                                         (ctype)value)                                           \
            : -ERANGE;                                                                           \
        if (rc < 0)                                                                              \
            jshm_jni_throwAtomic(env, rc);                                                       \
    }                                                                                            \
    static void jshm_jni_atomicPut##Name##Release(JNIEnv *env, jclass clazz, jlong base,         \
                                                  jlong size, jlong offset, jtype value)         \
    {                                                                                            \
        (void)clazz;                                                                             \
        int rc = JSHM_ATOMIC_ARGS_OK(size, offset)                                               \
            ? jshm_atomic_store_release_##suffix(to_ptr(base), (size_t)size, (size_t)offset,    \
                                                 (ctype)value)                                   \
            : -ERANGE;                                                                           \
        if (rc < 0)                                                                              \
            jshm_jni_throwAtomic(env, rc);                                                       \
    }                                                                                            \
    static jboolean jshm_jni_atomicCompareAndSet##Name(JNIEnv *env, jclass clazz, jlong base,    \
                                                       jlong size, jlong offset,                 \
                                                       jtype expected, jtype value)              \
    {                                                                                            \
        (void)clazz;                                                                             \
        int rc = JSHM_ATOMIC_ARGS_OK(size, offset)                                               \
            ? jshm_atomic_cas_##suffix(to_ptr(base), (size_t)size, (size_t)offset,              \
                                       (ctype)expected, (ctype)value)                            \
            : -ERANGE;                                                                           \
        if (rc < 0)                                                                              \
            jshm_jni_throwAtomic(env, rc);                                                       \
        return rc == 1 ? JNI_TRUE : JNI_FALSE;                                                   \
    }                                                                                            \
    static jtype jshm_jni_atomicGetAndAdd##Name(JNIEnv *env, jclass clazz, jlong base,           \
                                                jlong size, jlong offset, jtype delta)           \
    {                                                                                            \
        (void)clazz;                                                                             \
        ctype previous = 0;                                                                      \
        int rc = JSHM_ATOMIC_ARGS_OK(size, offset)                                               \
            ? jshm_atomic_fetch_add_##suffix(to_ptr(base), (size_t)size, (size_t)offset,        \
                                             (ctype)delta, &previous)                            \
            : -ERANGE;                                                                           \
        if (rc < 0)                                                                              \
            jshm_jni_throwAtomic(env, rc);                                                       \
        return (jtype)previous;                                                                  \
    }                                                                                            \
    static jtype jshm_jni_atomicGetAndSet##Name(JNIEnv *env, jclass clazz, jlong base,           \
                                                jlong size, jlong offset, jtype value)           \
    {                                                                                            \
        (void)clazz;                                                                             \
        ctype previous = 0;                                                                      \
        int rc = JSHM_ATOMIC_ARGS_OK(size, offset)                                               \
            ? jshm_atomic_exchange_##suffix(to_ptr(base), (size_t)size, (size_t)offset,         \
                                            (ctype)value, &previous)                             \
            : -ERANGE;                                                                           \
        if (rc < 0)                                                                              \
            jshm_jni_throwAtomic(env, rc);                                                       \
        return (jtype)previous;                                                                  \
    }

JSHM_JNI_ATOMICS(Int, i32, jint, int32_t)
JSHM_JNI_ATOMICS(Long, i64, jlong, int64_t)

#undef JSHM_JNI_ATOMICS

/* A negative timeout waits without limit. */
static jint jshm_jni_futexWait(JNIEnv *env, jclass clazz, jlong base, jlong size, jlong offset,
                               jint expected, jlong timeoutNanos)
{
    (void)env; (void)clazz;
    if (!JSHM_ATOMIC_ARGS_OK(size, offset))
        return -ERANGE;
    return jshm_futex_wait(to_ptr(base), (size_t)size, (size_t)offset, expected, timeoutNanos);
}

static jint jshm_jni_futexWake(JNIEnv *env, jclass clazz, jlong base, jlong size, jlong offset,
                               jint count)
{
    (void)env; (void)clazz;
    if (!JSHM_ATOMIC_ARGS_OK(size, offset))
        return -ERANGE;
    return jshm_futex_wake(to_ptr(base), (size_t)size, (size_t)offset, count);
}

static jint jshm_jni_membarrierRegister(JNIEnv *env, jclass clazz)
{
    (void)env; (void)clazz;
    return jshm_membarrier_register();
}

static jint jshm_jni_membarrier(JNIEnv *env, jclass clazz)
{
    (void)env; (void)clazz;
    return jshm_membarrier();
}

static jint jshm_jni_lockSize(JNIEnv *env, jclass clazz)
{
    (void)env; (void)clazz;
    return (jint)jshm_lock_size();
}

static jint jshm_jni_lockAlignment(JNIEnv *env, jclass clazz)
{
    (void)env; (void)clazz;
    return (jint)jshm_lock_alignment();
}

static jlong jshm_jni_lockSelf(JNIEnv *env, jclass clazz)
{
    (void)env; (void)clazz;
    return (jlong)jshm_lock_self();
}

/* The lock operations share one shape: (base, size, offset) -> 0 or -errno. */
#define JSHM_JNI_LOCK_OP(Name, fn)                                                               \
    static jint jshm_jni_lock##Name(JNIEnv *env, jclass clazz, jlong base, jlong size,           \
                                    jlong offset)                                                \
    {                                                                                            \
        (void)env; (void)clazz;                                                                  \
        if (!JSHM_ATOMIC_ARGS_OK(size, offset))                                                  \
            return -ERANGE;                                                                      \
        return fn(to_ptr(base), (size_t)size, (size_t)offset);                                  \
    }

JSHM_JNI_LOCK_OP(Init, jshm_lock_init)
JSHM_JNI_LOCK_OP(Check, jshm_lock_check)
JSHM_JNI_LOCK_OP(Acquire, jshm_lock_lock)
JSHM_JNI_LOCK_OP(Try, jshm_lock_trylock)
JSHM_JNI_LOCK_OP(Release, jshm_lock_unlock)
JSHM_JNI_LOCK_OP(Consistent, jshm_lock_consistent)
JSHM_JNI_LOCK_OP(Held, jshm_lock_held)

#undef JSHM_JNI_LOCK_OP

static jint jshm_jni_lockAcquireTimed(JNIEnv *env, jclass clazz, jlong base, jlong size,
                                      jlong offset, jlong timeoutNanos)
{
    (void)env; (void)clazz;
    if (!JSHM_ATOMIC_ARGS_OK(size, offset))
        return -ERANGE;
    return jshm_lock_timedlock(to_ptr(base), (size_t)size, (size_t)offset, timeoutNanos);
}

#undef JSHM_ATOMIC_ARGS_OK

/* ---- coordination (jshm_sync.c, jshm_lock.c): end ---- */

/* ---- registered natives: end ---- */

static const JNINativeMethod jshm_natives[] = {
    {"sysvCreate", "(IJII)I", (void *)jshm_jni_sysvCreate},
    {"sysvOpen", "(IJ)I", (void *)jshm_jni_sysvOpen},
    {"sysvFtok", "([BI)J", (void *)jshm_jni_sysvFtok},
    {"sysvAttach", "(IZ)J", (void *)jshm_jni_sysvAttach},
    {"sysvDetach", "(J)I", (void *)jshm_jni_sysvDetach},
    {"sysvRemove", "(I)I", (void *)jshm_jni_sysvRemove},
    {"sysvStat", "(I[J)I", (void *)jshm_jni_sysvStat},
    {"sysvSet", "(IJJJ)I", (void *)jshm_jni_sysvSet},
    {"sysvLock", "(IZ)I", (void *)jshm_jni_sysvLock},
    {"pageSize", "()J", (void *)jshm_jni_pageSize},
    {"faultRegister", "(JJJZ)I", (void *)jshm_jni_faultRegister},
    {"faultWords", "()Ljava/nio/ByteBuffer;", (void *)jshm_jni_faultWords},
    {"faultUnregister", "(I)I", (void *)jshm_jni_faultUnregister},
    {"retire", "(JJ)I", (void *)jshm_jni_retire},
    {"unmap", "(JJ)I", (void *)jshm_jni_unmap},
    {"newDirectBuffer", "(JI)Ljava/nio/ByteBuffer;", (void *)jshm_jni_newDirectBuffer},
    {"copyToArray", "(JJJ[BII)I", (void *)jshm_jni_copyToArray},
    {"copyFromArray", "(JJJ[BII)I", (void *)jshm_jni_copyFromArray},
    {"fill", "(JJJJB)I", (void *)jshm_jni_fill},
    {"indexOf", "(JJJJB)J", (void *)jshm_jni_indexOf},
    {"errnoName", "(I)Ljava/lang/String;", (void *)jshm_jni_errnoName},
    {"strerror", "(I)Ljava/lang/String;", (void *)jshm_jni_strerror},
    {"fileOpen", "([BII)I", (void *)jshm_jni_fileOpen},
    {"posixOpen", "([BII)I", (void *)jshm_jni_posixOpen},
    {"unlink", "([B)I", (void *)jshm_jni_unlink},
    {"posixUnlink", "([B)I", (void *)jshm_jni_posixUnlink},
    {"fileStat", "(I[J)I", (void *)jshm_jni_fileStat},
    {"fileGrow", "(IJI)I", (void *)jshm_jni_fileGrow},
    {"map", "(IJJI)J", (void *)jshm_jni_map},
    {"sync", "(JJZ)I", (void *)jshm_jni_sync},
    {"lockPages", "(JJZ)I", (void *)jshm_jni_lockPages},
    {"closeFd", "(I)I", (void *)jshm_jni_closeFd},
    {"geteuid", "()J", (void *)jshm_jni_geteuid},
    /* ---- coordination (jshm_sync.c, jshm_lock.c): begin ---- */
    {"atomicGetIntVolatile", "(JJJ)I", (void *)jshm_jni_atomicGetIntVolatile},
    {"atomicGetIntAcquire", "(JJJ)I", (void *)jshm_jni_atomicGetIntAcquire},
    {"atomicPutIntVolatile", "(JJJI)V", (void *)jshm_jni_atomicPutIntVolatile},
    {"atomicPutIntRelease", "(JJJI)V", (void *)jshm_jni_atomicPutIntRelease},
    {"atomicCompareAndSetInt", "(JJJII)Z", (void *)jshm_jni_atomicCompareAndSetInt},
    {"atomicGetAndAddInt", "(JJJI)I", (void *)jshm_jni_atomicGetAndAddInt},
    {"atomicGetAndSetInt", "(JJJI)I", (void *)jshm_jni_atomicGetAndSetInt},
    {"atomicGetLongVolatile", "(JJJ)J", (void *)jshm_jni_atomicGetLongVolatile},
    {"atomicGetLongAcquire", "(JJJ)J", (void *)jshm_jni_atomicGetLongAcquire},
    {"atomicPutLongVolatile", "(JJJJ)V", (void *)jshm_jni_atomicPutLongVolatile},
    {"atomicPutLongRelease", "(JJJJ)V", (void *)jshm_jni_atomicPutLongRelease},
    {"atomicCompareAndSetLong", "(JJJJJ)Z", (void *)jshm_jni_atomicCompareAndSetLong},
    {"atomicGetAndAddLong", "(JJJJ)J", (void *)jshm_jni_atomicGetAndAddLong},
    {"atomicGetAndSetLong", "(JJJJ)J", (void *)jshm_jni_atomicGetAndSetLong},
    {"futexWait", "(JJJIJ)I", (void *)jshm_jni_futexWait},
    {"futexWake", "(JJJI)I", (void *)jshm_jni_futexWake},
    {"membarrierRegister", "()I", (void *)jshm_jni_membarrierRegister},
    {"membarrier", "()I", (void *)jshm_jni_membarrier},
    {"lockSize", "()I", (void *)jshm_jni_lockSize},
    {"lockAlignment", "()I", (void *)jshm_jni_lockAlignment},
    {"lockSelf", "()J", (void *)jshm_jni_lockSelf},
    {"lockInit", "(JJJ)I", (void *)jshm_jni_lockInit},
    {"lockCheck", "(JJJ)I", (void *)jshm_jni_lockCheck},
    {"lockAcquire", "(JJJ)I", (void *)jshm_jni_lockAcquire},
    {"lockTry", "(JJJ)I", (void *)jshm_jni_lockTry},
    {"lockAcquireTimed", "(JJJJ)I", (void *)jshm_jni_lockAcquireTimed},
    {"lockRelease", "(JJJ)I", (void *)jshm_jni_lockRelease},
    {"lockConsistent", "(JJJ)I", (void *)jshm_jni_lockConsistent},
    {"lockHeld", "(JJJ)I", (void *)jshm_jni_lockHeld},
    /* ---- coordination (jshm_sync.c, jshm_lock.c): end ---- */
};

JSHM_EXPORT jint JNI_OnLoad(JavaVM *vm, void *reserved)
{
    (void)reserved;
    JNIEnv *env = NULL;
    if ((*vm)->GetEnv(vm, (void **)&env, JNI_VERSION_1_8) != JNI_OK)
        return JNI_ERR;
    jclass clazz = (*env)->FindClass(env, JSHM_NATIVE_CLASS);
    if (clazz == NULL)
        return JNI_ERR; /* NoClassDefFoundError is pending and reaches System.load's caller */
    jint n = (jint)(sizeof(jshm_natives) / sizeof(jshm_natives[0]));
    jint rc = (*env)->RegisterNatives(env, clazz, jshm_natives, n);
    (*env)->DeleteLocalRef(env, clazz);
    return rc == 0 ? JNI_VERSION_1_8 : JNI_ERR;
}
