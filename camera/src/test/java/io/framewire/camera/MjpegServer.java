package io.framewire.camera;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import javax.imageio.ImageIO;

/**
 * What a cheap IP camera serves: {@code /video} as multipart/x-mixed-replace JPEGs (sensor noise, so no
 * two frames are the same) at 10 FPS, {@code /garbage}, 200 OK with random bytes forever, and
 * {@code /files/...}, a directory as static files (an HLS playlist and its segments).
 */
final class MjpegServer implements AutoCloseable {

    private final HttpServer http;

    MjpegServer(java.nio.file.Path files) throws IOException {
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        http.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        http.createContext("/video", this::video);
        http.createContext("/garbage", this::garbage);
        http.createContext("/files/", com.sun.net.httpserver.SimpleFileServer.createFileHandler(files.toAbsolutePath()));
        http.start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + http.getAddress().getPort() + path;
    }

    private void video(HttpExchange ex) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "multipart/x-mixed-replace;boundary=frame");
        ex.sendResponseHeaders(200, 0);
        try (OutputStream out = ex.getResponseBody()) {
            while (true) {
                byte[] jpeg = frame();
                out.write(("--frame\r\nContent-Type: image/jpeg\r\nContent-Length: " + jpeg.length + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(jpeg);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                Thread.sleep(100);
            }
        } catch (IOException | InterruptedException e) {
            // the bridge hung up
        }
    }

    private void garbage(HttpExchange ex) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "video/mp4");
        ex.sendResponseHeaders(200, 0);
        byte[] junk = new byte[16_384];
        try (OutputStream out = ex.getResponseBody()) {
            while (true) {
                ThreadLocalRandom.current().nextBytes(junk);
                out.write(junk);
                Thread.sleep(20);
            }
        } catch (IOException | InterruptedException e) {
            // the bridge hung up
        }
    }

    static byte[] frame() throws IOException {
        BufferedImage image = new BufferedImage(320, 240, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.GRAY);
        g.fillRect(0, 0, 320, 240);
        g.dispose();
        ThreadLocalRandom r = ThreadLocalRandom.current();
        for (int i = 0; i < 4_000; i++) {
            image.setRGB(r.nextInt(320), r.nextInt(240), r.nextInt(0xffffff));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "jpg", out);
        return out.toByteArray();
    }

    @Override
    public void close() {
        http.stop(0);
    }
}
