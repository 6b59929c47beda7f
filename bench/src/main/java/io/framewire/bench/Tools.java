package io.framewire.bench;

import io.framewire.bench.loadgen.LoadGen;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;

/**
 * The one launcher of the benchmark tools: {@code java -jar bench/target/framewire-bench.jar TOOL [ARGS]},
 * {@code TOOL --help} for each tool's options.
 */
@Command(name = "framewire-bench", mixinStandardHelpOptions = true, versionProvider = Tools.Version.class,
        usageHelpAutoWidth = true,
        description = "framewire's load generator and benchmark tools (bench/README.md).",
        subcommands = {LoadGen.class, StandaloneBench.class, Attacks.class, Attacks25.class, Agreement.class, BigFrames.class, Capacity.class,
            GateCost.class, GateReplay.class, JettySink.class, HelpCommand.class})
public final class Tools implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The launcher with every tool; a repeated option keeps its last value (scripts append overrides). */
    static CommandLine commandLine() {
        return new CommandLine(new Tools()).setOverwrittenOptionsAllowed(true);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a tool");
    }

    /** The jar's Implementation-Version. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Tools.class.getPackage().getImplementationVersion();
            return new String[] {"framewire-bench " + (v == null ? "(not from a jar)" : v)};
        }
    }
}
