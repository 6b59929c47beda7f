package io.framewire.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A server in its own JVM started with {@code --port 0}: it binds a free port itself and says which
 * in its log, so no port is picked here and raced for.
 */
public final class ServerProcess {

    private static final Pattern LISTENING = Pattern.compile("framewire listening on \\S*?:(\\d+)\\b");

    private ServerProcess() {}

    /** The port the server logged once it listens; fails early, with the log, if it exits first. */
    public static int awaitPort(Process server, Path log) throws IOException {
        return awaitPort(server, log, Waits.WAIT);
    }

    /** The same, waiting up to {@code wait} (several JVMs starting at once on a starved machine take longer). */
    public static int awaitPort(Process server, Path log, java.time.Duration wait) throws IOException {
        try {
            Waits.await(wait).until(() -> !server.isAlive() || LISTENING.matcher(read(log)).find());
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("the server did not log its port within " + wait + ":\n" + read(log), e);
        }
        Matcher m = LISTENING.matcher(read(log));
        if (!m.find()) {
            throw new AssertionError("the server exited before it listened:\n" + read(log));
        }
        return Integer.parseInt(m.group(1));
    }

    private static String read(Path log) throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }
}
