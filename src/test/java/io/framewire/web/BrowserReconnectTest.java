package io.framewire.web;

import static io.framewire.web.BrowserTest.number;
import static io.framewire.web.BrowserTest.text;
import static io.framewire.web.BrowserTest.texts;
import static org.assertj.core.api.Assertions.assertThat;

import io.framewire.server.FramewireServer;
import io.framewire.testing.Chromium;
import io.framewire.testing.ServerExtension;
import io.framewire.testing.Waits;
import io.framewire.testing.WsClient;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The publisher page under each close the reconnect contract names, in Chromium: it reconnects
 * and keeps publishing. The detector is {@code none}: these are about the connection, not faces.
 */
class BrowserReconnectTest {

    @RegisterExtension
    final ServerExtension servers = new ServerExtension();
    private ChromeDriver browser;

    @BeforeEach
    void browser() throws Exception {
        Chromium.assumeInstalled();
        browser = Chromium.start();
    }

    @AfterEach
    void quit(TestInfo test) throws Exception {
        if (browser != null) {
            try {
                Chromium.screenshot(browser, "reconnect-" + test.getTestMethod().orElseThrow().getName());
            } finally {
                Chromium.quit(browser);
            }
        }
    }

    @Test
    void drainedHostGoesAway1001() throws Exception {
        FramewireServer first = servers.start("detector", "none");
        int port = first.port();
        double before = publish(port, "drain-1");

        servers.close(first); // the drain: accepted frames answered, then close 1001; the host is gone
        awaitLog("closed 1001");
        // a new process on the same address (a restart, or NGINX's next host): the page finds it
        servers.start("detector", "none", "port", Integer.toString(port));
        assertKeepsPublishing(before);
        assertThat(number(browser, "connections")).isEqualTo(2);
    }

    @Test
    void replacedByANewerPublisher4000() throws Exception {
        FramewireServer server = servers.start("detector", "none");
        double before = publish(server.port(), "replace-1");

        try (WsClient newer = WsClient.stream(server.port(), "replace-1")) {
            awaitLog("closed 4000");
            assertThat(text(browser, "#note")).contains("replaced");
        } // the newer publisher leaves; the page takes its stream back after its long wait (5 s + jitter)
        assertKeepsPublishing(before);
        assertThat(number(browser, "connections")).isEqualTo(2);
    }

    @Test
    void hostFullRefusesThenAdmits() throws Exception {
        FramewireServer server = servers.start("detector", "none", "streams.max", "1");
        try (WsClient occupant = WsClient.stream(server.port(), "someone-else")) {
            Waits.until(server::activeStreams, n -> n == 1);
            browser.get("http://127.0.0.1:" + server.port() + "/?stream=full-1&fps=10&size=320");
            browser.findElement(By.id("start")).click(); // a link never starts publishing (P1)
            // today a 1013 close after the upgrade; a 503 at the upgrade reads as 1006 without open
            List<String> log = Waits.until(() -> texts(browser, "#log li"),
                    l -> l.stream().filter(s -> s.contains("closed 1013") || s.contains("closed 1006 (no open)")).count() >= 2);
            assertThat(log).as("refused twice, retrying with backoff")
                    .filteredOn(s -> s.contains("closed 1013") || s.contains("closed 1006 (no open)")).hasSizeGreaterThanOrEqualTo(2);
            assertThat(number(browser, "results")).isZero();
        } // a slot frees up: the next retry gets in
        assertKeepsPublishing(0);
        assertThat(text(browser, "#status [data-k=state]")).isEqualTo("open");
    }

    /** Opens the publisher page on {@code port} and waits for its first results; returns their count. */
    private double publish(int port, String stream) throws InterruptedException {
        browser.get("http://127.0.0.1:" + port + "/?stream=" + stream + "&fps=10&size=320");
        browser.findElement(By.id("start")).click(); // a link never starts publishing (P1)
        double results = Waits.until(() -> number(browser, "results"), v -> v >= 5);
        assertThat(results).as("results before the close").isGreaterThanOrEqualTo(5);
        return results;
    }

    private void awaitLog(String line) throws InterruptedException {
        List<String> log = Waits.until(() -> texts(browser, "#log li"), l -> l.stream().anyMatch(s -> s.contains(line)));
        assertThat(log).as("connection log").anyMatch(s -> s.contains(line));
    }

    /** Open again, and at least 10 more results than {@code before}: it publishes on the new connection. */
    private void assertKeepsPublishing(double before) throws InterruptedException {
        double after = Waits.until(() -> number(browser, "results"), v -> v >= before + 10);
        assertThat(after).as("results after reconnecting").isGreaterThanOrEqualTo(before + 10);
        assertThat(texts(browser, "#log li").get(0)).as("newest log line").endsWith("open");
        assertThat(text(browser, "#status [data-k=state]")).isEqualTo("open");
    }
}
