package io.framewire.web;

import static io.framewire.testing.Waits.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import io.framewire.server.FramewireServer;
import io.framewire.testing.Chromium;
import io.framewire.testing.Http;
import io.framewire.testing.RedisServer;
import io.framewire.testing.ServerExtension;
import io.framewire.testing.TestData;
import io.framewire.testing.Waits;
import io.framewire.testing.WsClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The pages in a real (headless) Chromium whose camera plays Megamind.avi, against a YuNet
 * server: the publisher gets the face back, a second tab watches the same stream, the dashboard
 * lists it with a live FPS. Screenshots land in target/browser/.
 */
class BrowserTest {

    @RegisterExtension
    final ServerExtension servers = new ServerExtension();
    private ChromeDriver browser;

    @BeforeEach
    void browser() throws Exception {
        Chromium.assumeInstalled();
        browser = Chromium.start();
    }

    @AfterEach
    void quit(org.junit.jupiter.api.TestInfo test) throws Exception {
        if (browser != null) {
            try {
                Chromium.screenshot(browser, test.getTestMethod().orElseThrow().getName() + "-end");
            } finally {
                Chromium.quit(browser);
            }
        }
    }

    @Test
    void aLinkFillsTheFormButNeverStartsPublishing() throws Exception {
        FramewireServer server = servers.start("detector", "none");
        browser.get("http://127.0.0.1:" + server.port() + "/?stream=link-1&fps=10&size=320&start=1");
        assertThat(Waits.until(() -> browser.findElement(By.id("stream")).getDomProperty("value"), "link-1"::equals))
                .isEqualTo("link-1");
        org.awaitility.Awaitility.await().during(java.time.Duration.ofSeconds(3)).atMost(java.time.Duration.ofSeconds(5))
                .until(() -> server.activeStreams() == 0);
        browser.findElement(By.id("start")).click();
        assertThat(Waits.until(server::activeStreams, n -> n == 1)).as("the click starts it").isEqualTo(1);
    }

    @Test
    void publishWatchAndDashboard() throws Exception {
        FramewireServer server = servers.start("detector", "yunet", "model", TestData.yunet().toString(), "workers", "1");
        String base = "http://127.0.0.1:" + server.port();
        browser.get(base + "/?stream=browser-1&fps=8&size=480");
        browser.findElement(By.id("start")).click(); // a link never starts publishing (P1)

        List<String> faces = Waits.until(() -> texts(browser, "#detections li.detection .label"),
                labels -> labels.contains("face"));
        assertThat(faces).as("the page's detection list").contains("face");
        assertThat(Waits.until(() -> number(browser, "resultFps"), v -> v > 0)).isPositive();
        assertThat(number(browser, "sentFps")).isPositive();
        assertThat(text(browser, "#status [data-k=state]")).isEqualTo("open");
        assertThat(text(browser, "#status [data-k=p50]")).endsWith(" ms");
        Chromium.screenshot(browser, "publisher");
        String publisher = browser.getWindowHandle();

        // a second window watches the same stream: its results, and the face in them (a window, not a
        // tab: browsers slow down a hidden tab, and the publisher must keep its frame rate)
        browser.switchTo().newWindow(WindowType.WINDOW);
        browser.get(base + "/watch/browser-1");
        assertThat(Waits.until(() -> number(browser, "results"), v -> v >= 5)).isGreaterThanOrEqualTo(5);
        assertThat(Waits.until(() -> texts(browser, "#detections li.detection .label"), l -> l.contains("face")))
                .contains("face");
        assertThat(Waits.until(() -> number(browser, "resultFps"), v -> v > 0)).isPositive();
        long seq = Long.parseLong(text(browser, "#seq"));
        assertThat(Waits.until(() -> Long.parseLong(text(browser, "#seq")), s -> s > seq))
                .as("the watched stream's seq advances").isGreaterThan(seq);
        // and the camera's picture under the boxes (?frames=2 by default)
        Object picture = Waits.until(() -> ((org.openqa.selenium.JavascriptExecutor) browser).executeScript(
                "const i = document.getElementById('picture'); return !i.hidden && i.complete && i.naturalWidth > 0 ? i.naturalWidth : 0"),
                w -> ((Number) w).longValue() > 0);
        assertThat(((Number) picture).longValue()).as("the picture's width").isEqualTo(480);
        // a zone drawn on the picture and saved through the zones API
        browser.findElement(By.id("zone-name")).clear();
        browser.findElement(By.id("zone-name")).sendKeys("desk");
        browser.findElement(By.id("zone-draw")).click();
        var overlay = browser.findElement(By.id("overlay"));
        for (int[] p : new int[][] {{-60, -40}, {60, -40}, {60, 40}, {-60, 40}}) { // offsets from the centre
            new org.openqa.selenium.interactions.Actions(browser).moveToElement(overlay, p[0], p[1]).click().perform();
        }
        browser.findElement(By.id("zone-finish")).click();
        browser.findElement(By.id("zone-save")).click();
        Waits.until(() -> text(browser, "#zone-note"), t -> t.startsWith("saved"));
        var zones = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                io.framewire.testing.Http.get(server.port(), "/api/streams/browser-1/zones").body()).path("zones");
        assertThat(zones.size()).isEqualTo(1);
        assertThat(zones.get(0).path("name").asText()).isEqualTo("desk");
        assertThat(zones.get(0).path("polygon").size()).isEqualTo(4);
        assertThat(zones.get(0).path("polygon").get(0).get(0).asDouble()).as("left of the centre").isLessThan(0.5);
        assertThat(zones.get(0).path("polygon").get(2).get(1).asDouble()).as("below the centre").isGreaterThan(0.5);
        Chromium.screenshot(browser, "watch");

        // the dashboard lists the stream with a live FPS (rates need two polls)
        browser.switchTo().newWindow(WindowType.WINDOW);
        browser.get(base + "/dashboard");
        Double fps = Waits.until(() -> streamFps(browser, "browser-1"), v -> v > 0);
        assertThat(fps).as("dashboard FPS of browser-1").isPositive();
        assertThat(text(browser, "#streams")).isEqualTo("1 / 2000");
        assertThat(Waits.until(() -> text(browser, "#results-rate"), t -> !t.equals("–") && Double.parseDouble(t) > 0))
                .isNotEqualTo("–");
        assertThat(Waits.until(() -> Integer.parseInt(browser.findElement(By.id("chart-throughput")).getDomAttribute("data-points")),
                n -> n >= 8)).as("chart points").isGreaterThanOrEqualTo(8);
        assertThat(Waits.until(() -> streamFps(browser, "browser-1"), v -> v > 0)).as("FPS still live").isPositive();
        Chromium.screenshot(browser, "dashboard");

        browser.switchTo().window(publisher);
        assertThat(text(browser, "#status [data-k=state]")).isEqualTo("open");
        assertThat(number(browser, "connections")).isEqualTo(1);
    }

    @Test
    void dashboardShowsTheFleetWithRedis() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            FramewireServer a = servers.start("detector", "none", "redis", redis.url(), "host.id", "host-a", "admin.port", "0");
            FramewireServer b = servers.start("detector", "none", "redis", redis.url(), "host.id", "host-b");
            try (WsClient cam = WsClient.stream(b.port(), "on-b")) {
                cam.send(TestData.messi());
                cam.next(WAIT);
                browser.get("http://127.0.0.1:" + a.adminPort() + "/dashboard");
                List<String> hosts = Waits.until(() -> texts(browser, "#fleet-table tbody tr td:first-child"), l -> l.size() == 2);
                assertThat(hosts).containsExactly("host-a (this)", "host-b");
                assertThat(Waits.until(() -> text(browser, "#fleet-note"), t -> t.startsWith("2 host(s), 1 stream(s)")))
                        .startsWith("2 host(s), 1 stream(s)");
                Chromium.screenshot(browser, "dashboard-fleet");
            }
            servers.close(b); // before Redis goes
            servers.close(a);
        }
    }

    @Test
    void publishesALocalVideoFile() throws Exception {
        FramewireServer server = servers.start("detector", "yunet", "model", TestData.yunet().toString(), "workers", "1");
        browser.get("http://127.0.0.1:" + server.port() + "/?stream=file-1&source=file&fps=8&size=480");
        browser.findElement(By.id("file")).sendKeys(Chromium.videoFile().toAbsolutePath().toString());
        browser.findElement(By.id("start")).click();
        assertThat(Waits.until(() -> texts(browser, "#detections li.detection .label"), l -> l.contains("face")))
                .as("faces found in the file's frames").contains("face");
        assertThat(Waits.until(() -> number(browser, "results"), v -> v >= 10)).isGreaterThanOrEqualTo(10);
        Chromium.screenshot(browser, "publisher-file");
        browser.findElement(By.id("stop")).click();
        assertThat(Waits.until(() -> text(browser, "#status [data-k=state]"), "stopped"::equals)).isEqualTo("stopped");
        assertThat(Waits.until(server::activeStreams, n -> n == 0)).as("stop closes the stream").isZero();
    }

    @Test
    void publishAndWatchThroughTheShippedNginxConfig() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/sbin/nginx")), "no nginx (apt-get install nginx)");
        FramewireServer server = servers.start("detector", "none");
        Path dir = Files.createTempDirectory("framewire-nginx-");
        // nginx cannot listen on port 0 and say which it got: a free port is picked, and if another
        // socket takes it before nginx binds, nginx exits with "Address already in use" and the
        // next attempt picks another. Ours answers /nginx-health once it listens.
        Process nginx = null;
        int port = -1;
        for (int attempt = 0; attempt < 5 && nginx == null; attempt++) {
            try (ServerSocket free = new ServerSocket(0)) {
                port = free.getLocalPort();
            }
            run("bash", "nginx/render.sh", dir.toString(), "127.0.0.1:" + server.port(), "127.0.0.1:" + port);
            Files.createDirectories(dir.resolve("logs"));
            Path errors = dir.resolve("logs/error.log");
            Files.deleteIfExists(errors);
            Process started = new ProcessBuilder("nginx", "-p", dir.toString(), "-c", dir + "/nginx.conf", "-e", errors.toString(),
                    "-g", "pid " + dir + "/nginx.pid; daemon off;").inheritIO().start();
            int lb = port;
            Waits.await().until(() -> !started.isAlive() || status(lb, "/nginx-health") == 200);
            if (started.isAlive()) {
                nginx = started;
            } else {
                assertThat(Files.readString(errors)).as("nginx exited").contains("Address already in use");
            }
        }
        assertThat(nginx).as("nginx found a free port").isNotNull();
        try {
            int lb = port;
            assertThat(status(lb, "/dashboard")).as("the dashboard is not public").isEqualTo(404);
            browser.get("http://127.0.0.1:" + port + "/?stream=via-nginx&fps=10&size=320");
            browser.findElement(By.id("start")).click(); // a link never starts publishing (P1)
            assertThat(Waits.until(() -> number(browser, "results"), v -> v >= 10)).isGreaterThanOrEqualTo(10);
            assertThat(server.activeStreams()).isEqualTo(1);
            browser.switchTo().newWindow(WindowType.TAB);
            browser.get("http://127.0.0.1:" + port + "/watch/via-nginx");
            assertThat(Waits.until(() -> number(browser, "results"), v -> v >= 5)).isGreaterThanOrEqualTo(5);
            Chromium.screenshot(browser, "watch-via-nginx");
        } finally {
            nginx.destroy();
            nginx.waitFor();
        }
    }

    private static int status(int port, String path) {
        try {
            return Http.get(port, path).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).inheritIO().start();
        assertThat(p.waitFor()).as(String.join(" ", command)).isZero();
    }

    /** The FPS cell of the stream's row on the dashboard; NaN while it has none. */
    static double streamFps(WebDriver d, String stream) {
        for (WebElement row : d.findElements(By.cssSelector("#streams-table tbody tr"))) {
            if (row.findElement(By.cssSelector("td.stream")).getText().equals(stream)) {
                try {
                    return Double.parseDouble(row.findElement(By.cssSelector("td.fps")).getText());
                } catch (NumberFormatException e) {
                    return Double.NaN;
                }
            }
        }
        return Double.NaN;
    }

    static double number(WebDriver d, String key) {
        String t = text(d, "#status [data-k=" + key + "]");
        try {
            return Double.parseDouble(t.replace(" ms", ""));
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    static String text(WebDriver d, String css) {
        return d.findElement(By.cssSelector(css)).getText();
    }

    static List<String> texts(WebDriver d, String css) {
        return d.findElements(By.cssSelector(css)).stream().map(WebElement::getText).toList();
    }
}
