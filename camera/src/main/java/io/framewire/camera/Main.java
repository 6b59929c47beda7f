package io.framewire.camera;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar framewire-camera.jar --config cameras.toml}: the interface is a public contract.
 * Exit code 2 for a bad command line or config, with a message naming the key.
 */
public final class Main {

    private static final System.Logger LOG = System.getLogger(Main.class.getName());

    private Main() {}

    public static void main(String[] args) throws Exception {
        Path config = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config" -> config = i + 1 < args.length ? Path.of(args[++i]) : null;
                case "--help", "-h" -> {
                    System.out.println(usage());
                    return;
                }
                default -> {
                    if (args[i].startsWith("--config=")) {
                        config = Path.of(args[i].substring("--config=".length()));
                    } else {
                        System.err.println("unknown argument: " + args[i] + "\n" + usage());
                        System.exit(2);
                    }
                }
            }
        }
        if (config == null) {
            System.err.println(usage());
            System.exit(2);
        }
        Config cfg;
        try {
            cfg = Config.load(config);
        } catch (Config.Invalid e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Bridge bridge = new Bridge(cfg, System::nanoTime);
        Endpoints endpoints = new Endpoints(bridge, cfg.listen(), System::nanoTime);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            endpoints.close();
            bridge.close(); // each camera's connection closes with 1000
            stopped.countDown();
        }, "shutdown"));
        bridge.start();
        LOG.log(System.Logger.Level.INFO, "framewire-camera: " + cfg.cameras().size() + " camera(s) to " + cfg.server()
                + "; /metrics and /status on " + cfg.listen().substring(0, cfg.listen().lastIndexOf(':')) + ":" + endpoints.port());
        stopped.await();
    }

    private static String usage() {
        return """
                usage: java -jar framewire-camera.jar --config cameras.toml

                  server = "ws://127.0.0.1:8080"            # or wss://; token = "..." optional (also per camera)
                  listen = "127.0.0.1:9410"                 # /metrics and /status (port 0: any free port)
                  [[camera]]
                  id = "cam-1"                              # the framewire stream id
                  source = "rtsp://127.0.0.1:8554/lobby"    # rtsp://, http(s):// (MJPEG, HLS), a file (looped), /dev/videoN
                  fps = 10                                  # upper bound: the bridge sends min(fps, advice.fps)
                  width = 640                               # optional: scale before JPEG encoding (height: keeps the aspect)
                  # height, quality (1-100, 80), transport ("tcp" | "udp"), format (FFmpeg input format),
                  # max_pixels (8388608), timeout_ms (5000: a source silent this long is reopened)
                """;
    }
}
