package io.framewire.client;

import io.framewire.config.Settings;
import io.framewire.server.FramewireServer;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Real framewire servers in this JVM for the contract tests (the server jar is on the test class
 * path only), closed after each test, and frames a camera would send.
 */
final class Servers implements AfterEachCallback {

    private final List<FramewireServer> started = new ArrayList<>();
    private final List<AutoCloseable> clients = new ArrayList<>();

    /** Settings as flag names without dashes; a free loopback port unless "port" is given. */
    FramewireServer start(String... keyValues) throws Exception {
        Map<String, String> raw = new HashMap<>();
        raw.put("host", "127.0.0.1");
        raw.put("port", "0");
        raw.put("detector", "none");
        raw.put("shutdown.graceMs", "1000");
        for (int i = 0; i < keyValues.length; i += 2) {
            raw.put(keyValues[i], keyValues[i + 1]);
        }
        FramewireServer server = FramewireServer.start(Settings.from(raw));
        started.add(server);
        return server;
    }

    static URI uri(FramewireServer server) {
        return URI.create("ws://127.0.0.1:" + server.port());
    }

    /** Closed after the test. */
    <T extends AutoCloseable> T track(T client) {
        clients.add(client);
        return client;
    }

    /** A 320x240 JPEG with noise, as a camera's sensor gives: never the same bytes twice. */
    static byte[] jpeg() {
        return jpeg(320, 240);
    }

    static byte[] jpeg(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.DARK_GRAY);
        g.fillRect(0, 0, width, height);
        g.dispose();
        ThreadLocalRandom r = ThreadLocalRandom.current();
        for (int i = 0; i < width * height / 8; i++) {
            image.setRGB(r.nextInt(width), r.nextInt(height), r.nextInt(0xffffff));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "jpg", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** messi5.jpg, as the repository carries it (the root's src/test/data). */
    static byte[] messi() throws IOException {
        return Files.readAllBytes(Path.of(System.getProperty("framewire.testdata", "../../src/test/data"), "testdata", "messi5.jpg"));
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        for (AutoCloseable c : clients) {
            c.close();
        }
        clients.clear();
        for (FramewireServer s : started) {
            s.close();
        }
        started.clear();
    }
}
