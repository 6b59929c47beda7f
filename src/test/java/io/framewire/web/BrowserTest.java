package io.framewire.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.framewire.server.FramewireServer;
import io.framewire.testing.Chromium;
import io.framewire.testing.Poll;
import io.framewire.testing.RedisServer;
import io.framewire.testing.ServerExtension;
import io.framewire.testing.TestData;
import io.framewire.testing.WsClient;
import io.framewire.testing.Http;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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

    static final Duration WAIT = Duration.ofSeconds(30);

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
    void publishWatchAndDashboard() throws Exception {
        FramewireServer server = servers.start("detector", "yunet", "model", TestData.yunet().toString(), "workers", "1");
        String base = "http://127.0.0.1:" + server.port();
        browser.get(base + "/?stream=browser-1&fps=8&size=480&start=1");

        List<String> faces = Poll.until(WAIT, () -> texts(browser, "#detections li.detection .label"),
                labels -> labels.contains("face"));
        assertThat(faces).as("the page's detection list").contains("face");
        assertThat(Poll.until(WAIT, () -> number(browser, "resultFps"), v -> v > 0)).isPositive();
        assertThat(number(browser, "sentFps")).isPositive();
        assertThat(text(browser, "#status [data-k=state]")).isEqualTo("open");
        assertThat(text(browser, "#status [data-k=p50]")).endsWith(" ms");
        Chromium.screenshot(browser, "publisher");
        String publisher = browser.getWindowHandle();

        // a second window watches the same stream: its results, and the face in them (a window, not a
        // tab: browsers slow down a hidden tab, and the publisher must keep its frame rate)
        browser.switchTo().newWindow(WindowType.WINDOW);
        browser.get(base + "/watch/browser-1");
        assertThat(Poll.until(WAIT, () -> number(browser, "results"), v -> v >= 5)).isGreaterThanOrEqualTo(5);
        assertThat(Poll.until(WAIT, () -> texts(browser, "#detections li.detection .label"), l -> l.contains("face")))
                .contains("face");
        assertThat(Poll.until(WAIT, () -> number(browser, "resultFps"), v -> v > 0)).isPositive();
        long seq = Long.parseLong(text(browser, "#seq"));
        assertThat(Poll.until(WAIT, () -> Long.parseLong(text(browser, "#seq")), s -> s > seq))
                .as("the watched stream's seq advances").isGreaterThan(seq);
        Chromium.screenshot(browser, "watch");

        // the dashboard lists the stream with a live FPS (rates need two polls)
        browser.switchTo().newWindow(WindowType.WINDOW);
        browser.get(base + "/dashboard");
        Double fps = Poll.until(WAIT, () -> streamFps(browser, "browser-1"), v -> v > 0);
        assertThat(fps).as("dashboard FPS of browser-1").isPositive();
        assertThat(text(browser, "#streams")).isEqualTo("1 / 2000");
        assertThat(Poll.until(WAIT, () -> text(browser, "#results-rate"), t -> !t.equals("–") && Double.parseDouble(t) > 0))
                .isNotEqualTo("–");
        assertThat(Poll.until(WAIT, () -> Integer.parseInt(browser.findElement(By.id("chart-throughput")).getDomAttribute("data-points")),
                n -> n >= 8)).as("chart points").isGreaterThanOrEqualTo(8);
        assertThat(Poll.until(WAIT, () -> streamFps(browser, "browser-1"), v -> v > 0)).as("FPS still live").isPositive();
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
                List<String> hosts = Poll.until(WAIT, () -> texts(browser, "#fleet-table tbody tr td:first-child"), l -> l.size() == 2);
                assertThat(hosts).containsExactly("host-a (this)", "host-b");
                assertThat(Poll.until(WAIT, () -> text(browser, "#fleet-note"), t -> t.startsWith("2 host(s), 1 stream(s)")))
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
        assertThat(Poll.until(WAIT, () -> texts(browser, "#detections li.detection .label"), l -> l.contains("face")))
                .as("faces found in the file's frames").contains("face");
        assertThat(Poll.until(WAIT, () -> number(browser, "results"), v -> v >= 10)).isGreaterThanOrEqualTo(10);
        Chromium.screenshot(browser, "publisher-file");
        browser.findElement(By.id("stop")).click();
        assertThat(Poll.until(WAIT, () -> text(browser, "#status [data-k=state]"), "stopped"::equals)).isEqualTo("stopped");
        assertThat(Poll.until(WAIT, server::activeStreams, n -> n == 0)).as("stop closes the stream").isZero();
    }

    @Test
    void publishAndWatchThroughTheShippedNginxConfig() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/sbin/nginx")), "no nginx (apt-get install nginx)");
        FramewireServer server = servers.start("detector", "none");
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Path dir = Files.createTempDirectory("framewire-nginx-");
        run("bash", "nginx/render.sh", dir.toString(), "127.0.0.1:" + server.port(), "127.0.0.1:" + port);
        Process nginx = new ProcessBuilder("nginx", "-p", dir.toString(), "-c", dir + "/nginx.conf", "-e", dir + "/logs/error.log",
                "-g", "pid " + dir + "/nginx.pid; daemon off;").inheritIO().start();
        try {
            int lb = port;
            assertThat(Poll.until(WAIT, () -> status(lb, "/nginx-health"), c -> c == 200)).isEqualTo(200);
            assertThat(status(lb, "/dashboard")).as("the dashboard is not public").isEqualTo(404);
            browser.get("http://127.0.0.1:" + port + "/?stream=via-nginx&fps=10&size=320&start=1");
            assertThat(Poll.until(WAIT, () -> number(browser, "results"), v -> v >= 10)).isGreaterThanOrEqualTo(10);
            assertThat(server.activeStreams()).isEqualTo(1);
            browser.switchTo().newWindow(WindowType.TAB);
            browser.get("http://127.0.0.1:" + port + "/watch/via-nginx");
            assertThat(Poll.until(WAIT, () -> number(browser, "results"), v -> v >= 5)).isGreaterThanOrEqualTo(5);
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
