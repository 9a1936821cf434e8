package dev.jshm.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jshm completion bash|zsh}: a completion script for the shell, generated from the same
 * command model that parses the command line, so it never lists an option the tool lacks.
 */
@Command(name = "completion", mixinStandardHelpOptions = true,
        header = "Prints a bash or zsh completion script for jshm.",
        description = {
            "Prints a script that completes jshm's commands, options and their values (kinds, files) in"
                    + " bash or zsh, generated from the tool's own command model.",
            "Load it for this shell with: source <(jshm completion bash). For every new shell, save it:"
                    + " jshm completion bash > ~/.local/share/bash-completion/completions/jshm. In zsh the"
                    + " script turns on bashcompinit and completes the same way.",
            "It completes the command 'jshm'; run the jar through a 'jshm' script or alias to use it.",
        })
final class CompletionCommand implements Callable<Integer> {

    /** The shells this command writes for. */
    enum Shell {
        bash, zsh
    }

    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "SHELL", description = "bash or zsh.")
    private Shell shell;

    @Override
    public Integer call() {
        // picocli's script serves both: under zsh it loads bashcompinit before it registers itself.
        String script = AutoComplete.bash("jshm", spec.root().commandLine());
        PrintWriter out = spec.commandLine().getOut();
        out.print(script);
        out.flush();
        return ExitStatus.OK;
    }
}
