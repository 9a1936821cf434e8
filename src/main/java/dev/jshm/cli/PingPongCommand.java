package dev.jshm.cli;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code jshm pingpong}: the ring's round-trip demo, when this build has it. */
@Command(name = "pingpong", mixinStandardHelpOptions = true,
        description = {
            "Runs the ring buffer's ping-pong round-trip demo (dev.jshm.ring.PingPong) with the arguments"
                    + " given; put them after -- to pass options to it (jshm pingpong -- --help).",
            "Builds without the ring say that pingpong is not available.",
        })
final class PingPongCommand implements Callable<Integer> {

    static final String MAIN_CLASS = "dev.jshm.ring.PingPong";

    @Parameters(paramLabel = "ARG", arity = "0..*", description = "Arguments for PingPong.")
    private List<String> arguments = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Method main = mainMethod(MAIN_CLASS);
        try {
            main.invoke(null, (Object) arguments.toArray(new String[0]));
        } catch (InvocationTargetException e) {
            // PingPong's own failure, not the reflection's.
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
        return ExitStatus.OK;
    }

    /**
     * The {@code public static void main(String[])} of {@code className}, loaded reflectively so
     * that the tool builds and runs without it.
     *
     * @throws UnsupportedOperationException if the class or its main method is not there
     */
    static Method mainMethod(String className) {
        try {
            Method main = Class.forName(className).getMethod("main", String[].class);
            if (!Modifier.isStatic(main.getModifiers())) {
                throw new NoSuchMethodException(className + ".main is not static");
            }
            return main;
        } catch (ClassNotFoundException | NoSuchMethodException | LinkageError e) {
            throw new UnsupportedOperationException("pingpong is not available in this build (" + className
                    + " is not on the class path)");
        }
    }
}
