package io.framewire.camera;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GStreamer's RTSP server (src/test/python/rtsp_server.py: Debian's gst-rtsp-server through
 * python3-gi) in a process of its own, serving Megamind.avi as H.264 640x480 15 FPS on /cam0..N-1;
 * killed and restarted on the same port by the tests.
 */
final class RtspServer implements AutoCloseable {

    private static final Pattern READY = Pattern.compile("ready (\\d+)");
    private static final Path SCRIPT = Path.of("src/test/python/rtsp_server.py");

    private final Path media;
    private final int mounts;
    private final Path log;
    private Process process;
    private int port;

    private RtspServer(Path media, int mounts, Path log) {
        this.media = media;
        this.mounts = mounts;
        this.log = log;
    }

    /** Starts on a free port (the server binds it and says which). */
    static RtspServer start(Path dir, int mounts) throws Exception {
        RtspServer s = new RtspServer(h264(dir), mounts, dir.resolve("rtsp.log"));
        s.launch(0);
        return s;
    }

    String url(int mount) {
        return "rtsp://127.0.0.1:" + port + "/cam" + mount;
    }

    /** SIGKILL: the cameras' sessions die without a TEARDOWN, as with a crashed or unplugged server. */
    void kill() throws InterruptedException, IOException {
        process.destroyForcibly().waitFor();
        Files.deleteIfExists(log);
    }

    void restart() throws Exception {
        launch(port);
    }

    private void launch(int wanted) throws Exception {
        process = new ProcessBuilder("/usr/bin/python3", SCRIPT.toString(), "--file", media.toString(),
                "--mounts", String.valueOf(mounts), "--port", String.valueOf(wanted))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        await().atMost(Duration.ofSeconds(20)).until(() -> !process.isAlive() || READY.matcher(read()).find());
        Matcher m = READY.matcher(read());
        if (!m.find()) {
            throw new IllegalStateException("the RTSP server did not start:\n" + read());
        }
        port = Integer.parseInt(m.group(1));
    }

    private String read() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /**
     * Megamind.avi (MPEG-4 part 2, 720x528, 11 s) as H.264 640x480 15 FPS, looped to 45 s, by Debian's
     * ffmpeg: what an IP camera sends. Made once per directory.
     */
    static Path h264(Path dir) throws Exception {
        Path out = dir.resolve("megamind-640x480-15.mp4");
        if (!Files.exists(out)) {
            Path tmp = dir.resolve("megamind.tmp.mp4");
            Process p = new ProcessBuilder(List.of("ffmpeg", "-v", "error", "-y", "-stream_loop", "3", "-i",
                    Servers.megamind().toString(), "-an", "-vf", "scale=640:480,fps=15", "-c:v", "libx264",
                    "-preset", "ultrafast", "-tune", "zerolatency", "-g", "15", "-bf", "0", "-pix_fmt", "yuv420p",
                    tmp.toString())).inheritIO().start();
            if (p.waitFor() != 0) {
                throw new IllegalStateException("ffmpeg could not make the H.264 test file");
            }
            Files.move(tmp, out);
        }
        return out;
    }

    @Override
    public void close() {
        if (process != null) {
            process.destroyForcibly();
        }
    }
}
