/** jshm: System V, POSIX and file-backed shared memory for Java. */
module dev.jshm {
    requires static info.picocli; // the command-line tool only (dev.jshm.cli, not in the library jar)
    exports dev.jshm;
    exports dev.jshm.ring;
}
