package dev.jshm.cli;

/** Placeholder entry point, replaced by the command-line tool. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(2);
    }
}
