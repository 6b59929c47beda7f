package io.framewire.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The launcher: every tool answers --help, bad arguments exit with 2. */
class ToolsTest {

    private record Run(int status, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Tools.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int status = cli.execute(args);
        return new Run(status, out.toString(), err.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"loadgen", "standalone", "attacks", "agreement", "bigframes", "capacity", "gatecost", "jettysink"})
    void everyToolHasHelp(String tool) {
        Run r = run(tool, "--help");
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("Usage: framewire-bench " + tool).contains("--help");
    }

    @Test
    void theLauncherListsTheTools() {
        Run r = run("--help");
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("loadgen", "standalone", "attacks", "agreement", "bigframes", "capacity", "gatecost", "jettysink");
        assertThat(run().status()).as("no tool named").isEqualTo(2);
        assertThat(run("nosuchtool").status()).isEqualTo(2);
    }

    @Test
    void loadgenHelpKeepsTheScriptsOptions() {
        String help = run("loadgen", "--help").out();
        for (String option : new String[] {"--url", "--streams", "--fps", "--source", "--size", "--quality", "--frames",
            "--ramp", "--warmup", "--duration", "--drain", "--prefix", "--json", "--connect-timeout", "--client",
            "--io-threads", "--clients", "--extract", "--reconnect", "--reconnect-max", "--silence",
            "--silence-streams", "--per-stream", "--follow-advice"}) {
            assertThat(help).contains(option);
        }
    }

    @Test
    void badArgumentsExitWithTwo() {
        assertThat(run("loadgen", "--source", "x", "--streams", "zero").status()).isEqualTo(2);
        assertThat(run("standalone").status()).as("--images is required").isEqualTo(2);
        assertThat(run("jettysink", "notaport").status()).isEqualTo(2);
        assertThat(run("attacks", "1", "2").status()).as("six arguments").isEqualTo(2);
    }
}
