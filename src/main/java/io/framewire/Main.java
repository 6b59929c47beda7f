package io.framewire;

import io.framewire.config.Catalog;
import io.framewire.config.ConfigException;
import io.framewire.config.ConfigSources;
import io.framewire.config.Settings;
import io.framewire.server.FramewireServer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code java -jar framewire.jar [--setting value ...]} serves. The load generator is bench/'s tools jar. */
public final class Main {

    private Main() {}

    /** Headroom for what else lives in direct memory: Jetty's 64 KiB read buffers, OpenCV's transfers. */
    static final long DIRECT_HEADROOM = 64L << 20;

    /**
     * A warning when {@code ws.maxBufferedBytes} does not fit the JVM's direct memory with headroom:
     * frames would then meet an OutOfMemoryError before the budget refuses them with 1013. Null when it fits.
     */
    static String directMemoryWarning(long maxBufferedBytes, long limit) {
        if (maxBufferedBytes + DIRECT_HEADROOM <= limit) {
            return null;
        }
        return String.format("ws.maxBufferedBytes (%d MiB) + %d MiB headroom is above this JVM's direct memory limit (%d MiB):"
                        + " a burst of frames would fail with OutOfMemoryError before the budget refuses them;"
                        + " lower ws.maxBufferedBytes or raise -XX:MaxDirectMemorySize",
                maxBufferedBytes >> 20, DIRECT_HEADROOM >> 20, limit >> 20);
    }

    /** -XX:MaxDirectMemorySize, or the JDK's default for it (the heap's maximum) when unset. */
    static long directMemoryLimit() {
        try {
            var bean = java.lang.management.ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            long set = Long.parseLong(bean.getVMOption("MaxDirectMemorySize").getValue());
            return set > 0 ? set : Runtime.getRuntime().maxMemory();
        } catch (RuntimeException e) { // not HotSpot: the JDK's default
            return Runtime.getRuntime().maxMemory();
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.print(Catalog.usage());
            System.out.println("\nThe load generator and the benchmarks: java -jar bench/target/framewire-bench.jar --help");
            return;
        }
        List<String> rest = new ArrayList<>(List.of(args));
        boolean print = rest.remove("--print-config");
        Settings settings;
        try {
            if (print) { // what this command line would run with, checked as at start, and nothing started
                ConfigSources.Sourced sourced = ConfigSources.read(rest.toArray(String[]::new), System.getenv(),
                        new LinkedHashSet<>(Settings.NAMES));
                Settings.from(sourced.values());
                System.out.print(Catalog.effective(sourced));
                return;
            }
            settings = Settings.fromArgs(args);
        } catch (ConfigException e) {
            System.err.println("framewire: " + e.getMessage());
            System.exit(2);
            return;
        }
        Logger log = LoggerFactory.getLogger(Main.class);
        String direct = directMemoryWarning(settings.maxBufferedBytes(), directMemoryLimit());
        if (direct != null) {
            log.warn(direct);
        }
        FramewireServer server;
        try {
            server = FramewireServer.start(settings);
        } catch (IllegalArgumentException | IllegalStateException e) {
            log.error("framewire: cannot start: {}", e.getMessage());
            System.exit(2);
            return;
        }
        // Jetty's threads keep the JVM alive; SIGTERM/SIGINT run this hook.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (Exception e) {
                log.warn("shutdown: {}", e.toString());
            }
        }, "shutdown"));
    }
}
