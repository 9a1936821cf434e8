/**
 * The {@code jshm} command-line tool: ipcs, ipcmk and ipcrm for System V segments and POSIX
 * shared memory objects (and mapped files), plus inspection and cleanup, built on the public
 * jshm API alone. Run it as {@code java -jar target/jshm.jar} or with the {@code jshm} script at
 * the repository's root, which builds the jar first if it is missing.
 *
 * <h2>Naming a segment</h2>
 * Every command that works on one segment takes exactly one of {@code --key KEY} or
 * {@code --id ID} (System V), {@code --name /NAME} (POSIX, the file {@code /dev/shm/NAME}) or
 * {@code --file PATH [--file-offset N]} (a mapped file). {@code rm} and {@code reap} also take
 * locators: {@code sysv:key=0x162e}, {@code sysv:id=5}, {@code posix:/orders},
 * {@code file:/path?offset=N&size=N}.
 *
 * <p>The files the tool reads, writes or maps for the user ({@code --file}, {@code --from-file},
 * {@code --to-file}) must be regular files: each is looked at with {@code lstat} before any open,
 * so a FIFO, socket, device, directory or symbolic link is refused and never blocks an open; the
 * open itself is non-blocking and checks what it opened, so a name swapped for a FIFO after the
 * look is refused too.
 *
 * <h2>Commands</h2>
 * <pre>
 * list     [--kind sysv|posix] [--owner USER|UID] [--orphans] [-c] [-p] [-t] [-b] [--sort FIELD [--reverse]]
 *          [--json]                                both kinds in one table; -c -p -t -b as ipcs
 * stat     SEGMENT [--bytes N] [--json]            every field the kernel has, then a hex dump
 * create   [--key K|--name /N|--file P] --size N [--mode 600] [--open-or-create] [--huge-pages]
 *          [--fill BYTE [--progress]] [--json]     no --key: a free random key, as ipcmk
 * write    SEGMENT [--offset N] (TEXT | --hex "de ad" | --from-file PATH|-)
 * read     SEGMENT [--offset N] [--length N] [--text|--hex|--raw] [--to-file PATH] [--json]
 * rm       [SEGMENT...] [LOCATOR...] [--force] [--json]   refuses attached System V segments
 * rm       --all [--kind K] [--owner USER] [--yes] [--force] [--json]   as ipcrm -a, asking first
 * reap     [--dry-run] [--kind K] [LOCATOR...] [--json]    removes your orphans
 * watch    SEGMENT [--interval MS] [--count N] [--stat] [--offset N] [--length N] [--json]
 * doctor   [--json]                                 limits, usage, and what would fail and why
 * demo     [--size N] [--json]                      the System V tutorial's six steps
 * bench    [--repo DIR] [MAKE_ARG...]               make bench in a checkout
 * pingpong [--seconds N] [--size B] [--idle I] [--json]  the ring's round-trip demo between two processes
 * completion bash|zsh                              a completion script from the command model
 * </pre>
 *
 * <h2>Output</h2>
 * People get aligned tables and sizes in binary units as {@code ipcs --human} shows them
 * ({@code 4K}, {@code 1.5M}); sizes and offsets are taken the same way ({@code 64K}, {@code 1MiB}).
 * {@code --json} gives scripts exact bytes, ISO-8601 UTC times (null for never) and a shape each command's
 * {@code --help} documents. Fields are added over time, never renamed or removed.
 *
 * <h2>Exit status</h2>
 * <pre>
 * 0  success
 * 1  any other failure (also: the native library could not be loaded; a declined rm --all)
 * 2  bad usage or input (unknown option, malformed key, mode, size or name, offset outside the
 *    segment, a special file where a regular file was expected, EINVAL)
 * 3  no such segment, object or file (ENOENT, EIDRM)
 * 4  permission denied (EACCES, EPERM; a symbolic link where a file was expected)
 * 5  already exists (EEXIST)
 * 6  a system limit was reached (ENOMEM, ENOSPC, EFBIG, ...: see jshm doctor)
 * 7  refused: the segment is still attached or mapped (rm: use --force)
 * </pre>
 * A failure is one line on standard error, {@code jshm: ...}, naming the operation and its
 * segment or path; {@code jshm --verbose COMMAND} adds the stack trace. {@code rm} and {@code reap} report each segment that failed on a line of
 * its own and exit with the first failure's status.
 */
package dev.jshm.cli;
