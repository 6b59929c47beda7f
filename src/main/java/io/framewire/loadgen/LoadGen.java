package io.framewire.loadgen;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;

/**
 * Entry point: {@code java -jar framewire.jar loadgen ARGS}. Simulates many cameras publishing
 * JPEG frames over WebSocket at a fixed rate and reports throughput, latency, drops and fairness
 * for a measured window. Exit status: 0 when the run completed (failures are in the summary),
 * 2 on bad arguments, 3 when no frames could be loaded.
 */
public final class LoadGen {
    private LoadGen() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            System.out.println(LoadGenConfig.USAGE);
            return 0;
        }
        LoadGenConfig cfg;
        try {
            cfg = LoadGenConfig.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("loadgen: " + e.getMessage());
            System.err.println(LoadGenConfig.USAGE);
            return 2;
        }
        List<ByteBuffer> frames;
        try {
            frames = FrameSource.load(cfg.source(), cfg.width(), cfg.height(), cfg.quality(), cfg.frames());
        } catch (IOException | RuntimeException e) {
            System.err.println("loadgen: cannot load frames from " + cfg.source() + ": " + e.getMessage());
            return 3;
        }
        if (frames.isEmpty()) {
            System.err.println("loadgen: no frames in " + cfg.source());
            return 3;
        }
        try {
            if (cfg.extract() != null) {
                FrameSource.extract(frames, cfg.extract());
                System.err.printf("loadgen: wrote %d frames to %s%n", frames.size(), cfg.extract());
                return 0;
            }
            System.err.printf("[loadgen] %d frames loaded; %d streams x %s fps -> %s (ramp %s, warmup %s, window %s, client %s)%n",
                    frames.size(), cfg.streams(), cfg.fps(), cfg.url(), cfg.ramp(), cfg.warmup(), cfg.duration(),
                    cfg.client().name().toLowerCase(java.util.Locale.ROOT));
            LoadRun run = new LoadRun(cfg, frames);
            RunResult result = run.run();
            if (cfg.perStream() != null) {
                run.writePerStream(cfg.perStream());
            }
            ObjectNode json = Summary.toJson(result);
            String line = Summary.MAPPER.writeValueAsString(json);
            if (cfg.json() != null) {
                if (cfg.json().getParent() != null) {
                    Files.createDirectories(cfg.json().getParent());
                }
                Files.writeString(cfg.json(), line + "\n");
            }
            System.out.println(line);
            return 0;
        } catch (Exception e) {
            // The run itself is not expected to throw; if it does, say so but don't hide it.
            System.err.println("loadgen: run aborted: " + LoadRun.describe(e));
            e.printStackTrace();
            return 1;
        }
    }
}
