/*
 * Keeps the bundled library loadable on glibc 2.17, whatever glibc it is built against.
 *
 * glibc 2.34 moved libpthread into libc and gave the functions it moved a new default version,
 * GLIBC_2.34. A library linked against 2.34+ would then refuse to load on older systems, and
 * jshm promises nothing newer than GLIBC_2.17. The old versions are still exported (as
 * compatibility symbols) by every glibc since, and older ones export them from libpthread, which
 * the dynamic linker also searches (versioned lookups match the version name, not the file).
 * JSHM_GLIBC_PIN(name, x86_64_version) binds `name` to its old version explicitly:
 *  - x86_64: the version the function had there (GLIBC_2.2.5, the architecture's first, or the
 *    release that added it, such as GLIBC_2.12);
 *  - aarch64: GLIBC_2.17, the architecture's first glibc, which versioned every function that
 *    existed then (all the ones we pin) with its own name.
 * Functions that were in libc before 2.34 kept their old default and need no pin. On any other
 * architecture or C library the macro does nothing: such a build is the user's own, for the
 * system it runs on. NativeLibraryTest checks the versions in both bundled libraries.
 */
#ifndef JSHM_GLIBC_H
#define JSHM_GLIBC_H

#if defined(__GLIBC__) && defined(__x86_64__)
#define JSHM_GLIBC_PIN(name, x86_64_version) \
    __asm__(".symver " #name "," #name "@" #x86_64_version)
#elif defined(__GLIBC__) && defined(__aarch64__)
#define JSHM_GLIBC_PIN(name, x86_64_version) \
    __asm__(".symver " #name "," #name "@GLIBC_2.17")
#else
#define JSHM_GLIBC_PIN(name, x86_64_version) _Static_assert(1, "no pin needed")
#endif

#endif
